#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/any_value.h"
#include "model/ids.h"
#include "model/resource.h"

namespace periscope {

// Coarse severity classes of OTLP severity numbers (1-4 trace, 5-8 debug, 9-12 info, 13-16
// warn, 17-20 error, 21-24 fatal; 0 unset).
enum class SeverityClass : uint8_t { kUnset = 0, kTrace, kDebug, kInfo, kWarn, kError, kFatal };

// Class of a record: from severity_number when set, else from the text ("ERR", "warning", ...).
SeverityClass ClassifySeverity(int32_t severity_number, std::string_view severity_text);
// "trace", "debug", "info", "warn", "error", "fatal" or "unset".
std::string_view SeverityClassName(SeverityClass c);
// Inverse of SeverityClassName, also accepting aliases (warning, err, critical, ...);
// kUnset for unknown names.
SeverityClass SeverityClassFromName(std::string_view name);

// Columnar batch of log records of one tenant: one vector per field, one entry per row; rows
// point at shared resources and scopes by index. Not thread-safe; moved between stages.
struct LogBatch {
  std::string tenant = "default";
  std::vector<Resource> resources;
  std::vector<Scope> scopes;

  std::vector<uint32_t> resource_index;
  std::vector<uint32_t> scope_index;
  std::vector<int64_t> time_ns;           // time_unix_nano, else observed time
  std::vector<int64_t> observed_time_ns;  // 0 when unset
  std::vector<int32_t> severity_number;
  std::vector<std::string> severity_text;
  std::vector<AnyValue> body;     // strings as they are; maps and arrays as JSON text
  std::vector<TraceId> trace_id;  // zero when absent
  std::vector<SpanId> span_id;    // zero when absent
  std::vector<uint32_t> flags;
  std::vector<std::string> event_name;
  std::vector<Attributes> attributes;
  std::vector<uint32_t> dropped_attributes_count;

  size_t size() const { return time_ns.size(); }
  bool empty() const { return time_ns.empty(); }
  const UnifiedTags& tags(size_t row) const { return resources[resource_index[row]].tags; }
  const Resource& resource(size_t row) const { return resources[resource_index[row]]; }
  const Scope& scope(size_t row) const { return scopes[scope_index[row]]; }
  SeverityClass severity_class(size_t row) const {
    return ClassifySeverity(severity_number[row], severity_text[row]);
  }

  // Appends an empty row for resource `r` and scope `s` and returns its index.
  size_t AddRow(uint32_t r, uint32_t s);
  // Copies row `row` of `src`, adding its resource and scope if not present yet.
  void AppendRow(const LogBatch& src, size_t row);
  // Moves every row of `src` to the end of this batch.
  void Append(LogBatch&& src);
  // Reorders rows by `order` (a permutation of row indexes).
  void Permute(const std::vector<uint32_t>& order);
  // Approximate heap footprint, for memtable limits.
  size_t ApproximateBytes() const;
  // True when every column has size() entries and every index is in range.
  bool IsConsistent() const;
};

}  // namespace periscope
