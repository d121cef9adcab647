#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <variant>

#include "periscope/trace/console.h"

namespace periscope::trace {
namespace {

void AppendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[5];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendAttributes(std::string& out, std::span<const KeyValue> attributes);

void AppendValue(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          char digits[32];
          auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), v);
          out.append(digits, ec == std::errc() ? end : digits);
        } else if constexpr (std::is_same_v<T, std::string>) {
          AppendQuoted(out, v);
        } else if constexpr (std::is_same_v<T, Bytes>) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "0x";
          for (uint8_t b : v.data) {
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 15]);
          }
        } else if constexpr (std::is_same_v<T, AttributeArray>) {
          out.push_back('[');
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ", ";
            AppendValue(out, v[i]);
          }
          out.push_back(']');
        } else {
          AppendAttributes(out, v);
        }
      },
      value.storage());
}

void AppendAttributes(std::string& out, std::span<const KeyValue> attributes) {
  out.push_back('{');
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out += ", ";
    out += attributes[i].first;
    out.push_back('=');
    AppendValue(out, attributes[i].second);
  }
  out.push_back('}');
}

std::string_view KindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unknown";
}

void AppendDuration(std::string& out, const SpanData& span) {
  const long long nanos = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(span.end_time - span.start_time)
             .count());
  char text[48];
  std::snprintf(text, sizeof(text), "%lld.%03lldms", nanos / 1000000, nanos % 1000000 / 1000);
  out += text;
}

void AppendStatus(std::string& out, const SpanData& span) {
  switch (span.status) {
    case StatusCode::kUnset:
      out += "unset";
      return;
    case StatusCode::kOk:
      out += "ok";
      return;
    case StatusCode::kError:
      out += "error";
      if (!span.status_message.empty()) {
        out.push_back(' ');
        AppendQuoted(out, span.status_message);
      }
      return;
  }
}

std::string SpanLine(const SpanData& span) {
  std::string line = "span ";
  AppendQuoted(line, span.name);
  line += " trace_id=" + span.context.trace_id.ToHex();
  line += " span_id=" + span.context.span_id.ToHex();
  line += " parent=";
  line += span.parent_span_id.IsValid() ? span.parent_span_id.ToHex() : "none";
  if (span.parent_is_remote) line += " (remote)";
  line += " kind=";
  line += KindName(span.kind);
  line += " duration=";
  AppendDuration(line, span);
  line += " status=";
  AppendStatus(line, span);
  line += " attributes=";
  AppendAttributes(line, span.AllAttributes());
  line.push_back('\n');
  return line;
}

}  // namespace

ConsoleSpanExporter::ConsoleSpanExporter() : ConsoleSpanExporter(std::cerr) {}

ConsoleSpanExporter::ConsoleSpanExporter(std::ostream& out) : out_(out) {}

ExportResult ConsoleSpanExporter::Export(std::span<const SpanData> spans) {
  std::string text;
  for (const SpanData& span : spans) text += SpanLine(span);
  std::lock_guard<std::mutex> lock(mu_);
  out_ << text << std::flush;
  if (!out_) return ExportResult::Failure("console exporter: the stream failed");
  return ExportResult::Ok();
}

}  // namespace periscope::trace
