#include "loadgen/log_workload.h"

#include <algorithm>

#include "base/time.h"
#include "loadgen/log_line_varier.h"
#include "loadgen/log_proto_wire.h"
#include "loadgen/split_mix.h"

namespace periscope::loadgen {
namespace {

using wire::LengthDelimitedSize;
using wire::PutBytes;
using wire::PutLengthPrefix;

// Field numbers of opentelemetry/proto/logs/v1/logs.proto and common.proto.
constexpr int kRequestResourceLogs = 1;
constexpr int kResourceLogsResource = 1;
constexpr int kResourceLogsScopeLogs = 2;
constexpr int kResourceAttributes = 1;
constexpr int kScopeLogsScope = 1;
constexpr int kScopeLogsRecords = 2;
constexpr int kScopeName = 1;
constexpr int kKeyValueKey = 1;
constexpr int kKeyValueValue = 2;
constexpr int kAnyValueString = 1;
constexpr int kRecordTime = 1;
constexpr int kRecordSeverityNumber = 2;
constexpr int kRecordSeverityText = 3;
constexpr int kRecordBody = 5;
constexpr int kRecordTraceId = 9;
constexpr int kRecordSpanId = 10;

constexpr std::string_view kScope = "loghub-replay";

void PutStringAttribute(std::string* out, int field, std::string_view key, std::string_view value) {
  size_t any = LengthDelimitedSize(value.size());
  PutLengthPrefix(out, field, LengthDelimitedSize(key.size()) + LengthDelimitedSize(any));
  PutBytes(out, kKeyValueKey, key);
  PutLengthPrefix(out, kKeyValueValue, any);
  PutBytes(out, kAnyValueString, value);
}

void AppendHex(std::string* out, const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kHex[bytes[i] >> 4]);
    out->push_back(kHex[bytes[i] & 0xf]);
  }
}

}  // namespace

LogWorkload::LogWorkload(const LogCorpus& corpus, const LogWorkloadOptions& options)
    : corpus_(corpus), options_(options), cursors_(corpus.data_sets().size(), 0) {}

size_t LogWorkload::NextRequest(std::string* body, std::string* raw) {
  body->clear();
  const auto& sets = corpus_.data_sets();
  if (sets.empty() || next_line_ >= options_.total_lines) return 0;
  size_t set_index = next_request_ % sets.size();
  const LogCorpus::DataSet& set = sets[set_index];
  uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(std::max(1, options_.lines_per_request)),
                                  options_.total_lines - next_line_);
  SplitMix rng(options_.seed * 0x9E3779B97F4A7C15ull + next_request_);
  records_.clear();
  uint64_t& cursor = cursors_[set_index];
  for (uint64_t i = 0; i < n; ++i, ++cursor) {
    const LogCorpus::Line& line = set.lines[cursor % set.lines.size()];
    uint64_t pass = cursor / set.lines.size();
    text_.clear();
    VaryLine(line.text, options_.seed ^ (pass * 0x100000001B3ull + set_index), &text_);
    uint64_t time = static_cast<uint64_t>(options_.time_base_ns) +
                    (next_line_ + i) * static_cast<uint64_t>(options_.line_interval_ns);
    bool traced = rng.Chance(options_.trace_fraction);
    unsigned char ids[24];
    if (traced) {
      for (int k = 0; k < 3; ++k) {
        uint64_t v = rng.Next();
        for (int b = 0; b < 8; ++b) ids[k * 8 + b] = static_cast<unsigned char>(v >> (8 * b));
      }
    }
    size_t any = LengthDelimitedSize(text_.size());
    size_t len = 9 + LengthDelimitedSize(any);
    if (line.severity.number != 0) {
      len += 2 + LengthDelimitedSize(line.severity.text.size());
    }
    if (traced) len += LengthDelimitedSize(16) + LengthDelimitedSize(8);
    PutLengthPrefix(&records_, kScopeLogsRecords, len);
    wire::PutTag(&records_, kRecordTime, wire::kFixed64);
    wire::PutFixed64(&records_, time);
    if (line.severity.number != 0) {
      wire::PutTag(&records_, kRecordSeverityNumber, wire::kVarint);
      wire::PutVarint(&records_, static_cast<uint64_t>(line.severity.number));
      PutBytes(&records_, kRecordSeverityText, line.severity.text);
    }
    PutLengthPrefix(&records_, kRecordBody, any);
    PutBytes(&records_, kAnyValueString, text_);
    if (traced) {
      PutBytes(&records_, kRecordTraceId, std::string_view(reinterpret_cast<const char*>(ids), 16));
      PutBytes(&records_, kRecordSpanId,
               std::string_view(reinterpret_cast<const char*>(ids + 16), 8));
    }
    if (raw != nullptr) {
      raw->append(FormatRfc3339(static_cast<int64_t>(time)));
      raw->push_back(' ');
      raw->append(set.service);
      raw->push_back(' ');
      if (traced) {
        raw->append("trace_id=");
        AppendHex(raw, ids, 16);
        raw->append(" span_id=");
        AppendHex(raw, ids + 16, 8);
        raw->push_back(' ');
      }
      raw->append(text_);
      raw->push_back('\n');
    }
  }

  std::string host = set.service + "-01";
  std::string resource;
  PutStringAttribute(&resource, kResourceAttributes, "service.name", set.service);
  PutStringAttribute(&resource, kResourceAttributes, "host.name", host);
  PutStringAttribute(&resource, kResourceAttributes, "deployment.environment.name",
                     options_.environment);
  size_t scope = LengthDelimitedSize(kScope.size());
  size_t scope_logs = LengthDelimitedSize(scope) + records_.size();
  size_t resource_logs = LengthDelimitedSize(resource.size()) + LengthDelimitedSize(scope_logs);
  body->reserve(LengthDelimitedSize(resource_logs));
  PutLengthPrefix(body, kRequestResourceLogs, resource_logs);
  PutBytes(body, kResourceLogsResource, resource);
  PutLengthPrefix(body, kResourceLogsScopeLogs, scope_logs);
  PutLengthPrefix(body, kScopeLogsScope, scope);
  PutBytes(body, kScopeName, kScope);
  body->append(records_);
  next_line_ += n;
  ++next_request_;
  return static_cast<size_t>(n);
}

}  // namespace periscope::loadgen
