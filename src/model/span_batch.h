#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/any_value.h"
#include "model/ids.h"
#include "model/resource.h"

namespace periscope {

// OTLP span kinds (opentelemetry.proto.trace.v1.Span.SpanKind).
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
// OTLP status codes (opentelemetry.proto.trace.v1.Status.StatusCode).
enum class StatusCodeValue : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  int64_t time_ns = 0;
  std::string name;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  bool operator==(const SpanEvent&) const = default;
};

struct SpanLink {
  TraceId trace_id;
  SpanId span_id;
  std::string trace_state;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
  bool operator==(const SpanLink&) const = default;
};

// Columnar batch of spans of one tenant: one vector per field, one entry per row; rows point at
// shared resources and scopes by index. Not thread-safe; moved between stages.
struct SpanBatch {
  std::string tenant = "default";
  std::vector<Resource> resources;
  std::vector<Scope> scopes;

  std::vector<uint32_t> resource_index;
  std::vector<uint32_t> scope_index;
  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<SpanId> parent_span_id;  // zero for roots
  std::vector<std::string> trace_state;
  std::vector<uint32_t> flags;
  std::vector<std::string> name;
  std::vector<SpanKind> kind;
  std::vector<int64_t> start_ns;
  std::vector<int64_t> end_ns;
  std::vector<Attributes> attributes;
  std::vector<uint32_t> dropped_attributes_count;
  std::vector<std::vector<SpanEvent>> events;
  std::vector<uint32_t> dropped_events_count;
  std::vector<std::vector<SpanLink>> links;
  std::vector<uint32_t> dropped_links_count;
  std::vector<StatusCodeValue> status_code;
  std::vector<std::string> status_message;

  size_t size() const { return trace_id.size(); }
  bool empty() const { return trace_id.empty(); }
  const UnifiedTags& tags(size_t row) const { return resources[resource_index[row]].tags; }
  const Resource& resource(size_t row) const { return resources[resource_index[row]]; }
  const Scope& scope(size_t row) const { return scopes[scope_index[row]]; }
  // Wraps instead of overflowing for absurd times; decoders reject end < start.
  int64_t duration_ns(size_t row) const {
    return static_cast<int64_t>(static_cast<uint64_t>(end_ns[row]) -
                                static_cast<uint64_t>(start_ns[row]));
  }

  // Appends an empty row for resource `r` and scope `s` and returns its index; fill its fields
  // through the column vectors.
  size_t AddRow(uint32_t r, uint32_t s);
  // Copies row `row` of `src`, adding its resource and scope if not present yet.
  void AppendRow(const SpanBatch& src, size_t row);
  // Moves every row of `src` to the end of this batch.
  void Append(SpanBatch&& src);
  // Reorders rows by `order` (a permutation of row indexes).
  void Permute(const std::vector<uint32_t>& order);
  // Approximate heap footprint, for memtable limits; constant cost for large batches (measured
  // on a sample of rows).
  size_t ApproximateBytes() const;
  // True when every column has size() entries and every index is in range.
  bool IsConsistent() const;
};

}  // namespace periscope
