#include "query/insights/span_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "base/time.h"
#include "storage/logs/log_tokens.h"

namespace periscope {

namespace {

using Node = LogSearchNode;

bool IsSpanField(std::string_view f) {
  return f == "service" || f == "env" || f == "version" || f == "host" || f == "status" ||
         f == "kind" || f == "name" || f == "operation" || f == "trace_id" || f == "span_id" ||
         f == "duration" || (f.size() > 1 && f[0] == '@');
}

bool SpanFieldAllowsRange(std::string_view f) { return f == "duration" || f[0] == '@'; }

std::optional<StatusCodeValue> StatusFromText(std::string_view s) {
  if (s == "error" || s == "status_code_error") return StatusCodeValue::kError;
  if (s == "ok" || s == "status_code_ok") return StatusCodeValue::kOk;
  if (s == "unset" || s == "status_code_unset") return StatusCodeValue::kUnset;
  return std::nullopt;
}

std::optional<SpanKind> KindFromText(std::string_view s) {
  if (s.starts_with("span_kind_")) s.remove_prefix(10);
  if (s == "unspecified") return SpanKind::kUnspecified;
  if (s == "internal") return SpanKind::kInternal;
  if (s == "server") return SpanKind::kServer;
  if (s == "client") return SpanKind::kClient;
  if (s == "producer") return SpanKind::kProducer;
  if (s == "consumer") return SpanKind::kConsumer;
  return std::nullopt;
}

// Checks a field term; status and kind values become their numeric enum value in `number`,
// durations nanoseconds in `number`.
std::string CheckSpanField(Node& n) {
  const bool range = n.op != Node::Op::kEq && n.op != Node::Op::kPrefix;
  if (n.field == "operation") n.field = "name";
  if (n.field == "duration") {
    if (!range) return "duration needs a comparison: duration:>300ms, >=, <, <=";
    double d = 0;
    auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), d);
    if (!n.text.empty() && ec == std::errc() && end == n.text.data() + n.text.size()) {
      n.number = d;  // bare numbers are nanoseconds, as min_duration
      return "";
    }
    auto ns = ParseDurationNanos(n.text);
    if (!ns) return fmt::format("'{}' is not a duration (e.g. 300ms, 1.5s)", n.text);
    n.number = static_cast<double>(*ns);
    return "";
  }
  if (range) {
    double d = 0;
    auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), d);
    if (n.text.empty() || ec != std::errc() || end != n.text.data() + n.text.size()) {
      return fmt::format("expected a number after the comparison, got '{}'", n.text);
    }
    return "";
  }
  if (n.field == "status" || n.field == "kind") {
    if (n.op != Node::Op::kEq) return fmt::format("{} takes no prefix", n.field);
    n.text = logs::AsciiLower(n.text);
    if (n.field == "status") {
      auto s = StatusFromText(n.text);
      if (!s) return fmt::format("unknown status '{}' (error, ok, unset)", n.text);
      n.number = static_cast<double>(*s);
    } else {
      auto k = KindFromText(n.text);
      if (!k) {
        return fmt::format("unknown kind '{}' (server, client, internal, producer, consumer)",
                           n.text);
      }
      n.number = static_cast<double>(*k);
    }
    return "";
  }
  if (n.field == "trace_id" || n.field == "span_id") {
    const bool ok = n.field == "trace_id" ? TraceId::FromHex(n.text).has_value()
                                          : SpanId::FromHex(n.text).has_value();
    if (!ok || n.op != Node::Op::kEq) {
      return fmt::format("{} must be {} hex digits", n.field, n.field == "trace_id" ? 32 : 16);
    }
    n.text = logs::AsciiLower(n.text);
  }
  return "";
}

const SearchFieldSyntax kSpanSyntax{IsSpanField, SpanFieldAllowsRange,
                                    "ranges apply to duration and @attributes only",
                                    CheckSpanField};

// True when `want` occurs as consecutive tokens of `text`, the last one as a prefix when
// `last_is_prefix`.
bool HasTokenRun(std::string_view text, const std::vector<std::string>& want, bool last_is_prefix) {
  if (want.empty()) return true;
  const std::vector<std::string> have = logs::Tokenize(text);
  for (size_t base = 0; base + want.size() <= have.size(); ++base) {
    bool all = true;
    for (size_t i = 0; i < want.size() && all; ++i) {
      const bool last = i + 1 == want.size();
      all =
          last && last_is_prefix ? have[base + i].starts_with(want[i]) : have[base + i] == want[i];
    }
    if (all) return true;
  }
  return false;
}

bool CompareString(const Node& n, std::string_view value) {
  return n.op == Node::Op::kPrefix ? value.starts_with(n.text) : value == n.text;
}

bool CompareNumber(const Node& n, double x) {
  switch (n.op) {
    case Node::Op::kGt:
      return x > n.number;
    case Node::Op::kGe:
      return x >= n.number;
    case Node::Op::kLt:
      return x < n.number;
    case Node::Op::kLe:
      return x <= n.number;
    default:
      return false;
  }
}

bool MatchAttribute(const Node& n, const AnyValue& v) {
  if (n.op == Node::Op::kEq || n.op == Node::Op::kPrefix) return CompareString(n, v.ToString());
  switch (v.type) {
    case ValueType::kInt:
      return CompareNumber(n, static_cast<double>(v.int_value));
    case ValueType::kDouble:
      return CompareNumber(n, v.double_value);
    case ValueType::kString: {
      double d = 0;
      auto [end, ec] = std::from_chars(v.str.data(), v.str.data() + v.str.size(), d);
      return !v.str.empty() && ec == std::errc() && end == v.str.data() + v.str.size() &&
             CompareNumber(n, d);
    }
    default:
      return false;
  }
}

bool MatchField(const Node& n, const SpanBatch& b, size_t row) {
  const std::string& f = n.field;
  if (f[0] == '@') {
    const std::string_view key = std::string_view(f).substr(1);
    for (const auto& kv : b.attributes[row]) {
      if (kv.key == key) return MatchAttribute(n, kv.value);
    }
    for (const auto& kv : b.resource(row).attributes) {
      if (kv.key == key) return MatchAttribute(n, kv.value);
    }
    return false;
  }
  const UnifiedTags& tags = b.tags(row);
  if (f == "service") return CompareString(n, tags.service);
  if (f == "env") return CompareString(n, tags.env);
  if (f == "version") return CompareString(n, tags.version);
  if (f == "host") return CompareString(n, tags.host);
  if (f == "name") return CompareString(n, b.name[row]);
  if (f == "status") return static_cast<double>(b.status_code[row]) == n.number;
  if (f == "kind") return static_cast<double>(b.kind[row]) == n.number;
  if (f == "trace_id") return b.trace_id[row].Hex() == n.text;
  if (f == "span_id") return b.span_id[row].Hex() == n.text;
  if (f == "duration") return CompareNumber(n, static_cast<double>(b.duration_ns(row)));
  return false;
}

bool MatchNode(const Node& n, const SpanBatch& b, size_t row) {
  switch (n.kind) {
    case Node::Kind::kAll:
      return true;
    case Node::Kind::kWord:
      return HasTokenRun(b.name[row], n.tokens, false);
    case Node::Kind::kPrefix: {
      const bool partial =
          !n.text.empty() && logs::IsTokenByte(static_cast<unsigned char>(n.text.back()));
      return HasTokenRun(b.name[row], logs::Tokenize(n.text), partial);
    }
    case Node::Kind::kPhrase:
      return logs::AsciiLower(b.name[row]).find(n.text) != std::string::npos;
    case Node::Kind::kField:
      return MatchField(n, b, row);
    case Node::Kind::kNot:
      return !MatchNode(n.children[0], b, row);
    case Node::Kind::kAnd:
      return std::all_of(n.children.begin(), n.children.end(),
                         [&](const Node& c) { return MatchNode(c, b, row); });
    case Node::Kind::kOr:
      return std::any_of(n.children.begin(), n.children.end(),
                         [&](const Node& c) { return MatchNode(c, b, row); });
  }
  return false;
}

bool ReadsAttributes(const Node& n) {
  if (n.kind == Node::Kind::kField) return n.field[0] == '@';
  return std::any_of(n.children.begin(), n.children.end(), ReadsAttributes);
}

}  // namespace

Result<SpanSearch> SpanSearch::Parse(std::string_view query) {
  SpanSearch s;
  ASSIGN_OR_RETURN(s.node_, ParseSearchSyntax(query, kSpanSyntax));
  s.reads_attributes_ = ReadsAttributes(s.node_);
  return s;
}

bool SpanSearch::Matches(const SpanBatch& batch, size_t row) const {
  return MatchNode(node_, batch, row);
}

}  // namespace periscope
