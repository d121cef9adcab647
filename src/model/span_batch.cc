#include "model/span_batch.h"

#include <algorithm>

namespace periscope {

namespace {

template <typename T>
void PermuteColumn(std::vector<T>& col, const std::vector<uint32_t>& order) {
  std::vector<T> out;
  out.reserve(order.size());
  for (uint32_t i : order) out.push_back(std::move(col[i]));
  col = std::move(out);
}

template <typename T>
void MoveAppend(std::vector<T>& dst, std::vector<T>& src) {
  dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
}

size_t AttributesBytes(const Attributes& attrs) {
  size_t n = attrs.capacity() * sizeof(KeyValue);
  for (const auto& kv : attrs) n += kv.key.capacity() + kv.value.str.capacity();
  return n;
}

template <typename T>
uint32_t IndexOf(std::vector<T>& pool, const T& item) {
  for (size_t i = pool.size(); i-- > 0;) {
    if (pool[i] == item) return static_cast<uint32_t>(i);
  }
  pool.push_back(item);
  return static_cast<uint32_t>(pool.size() - 1);
}

}  // namespace

size_t SpanBatch::AddRow(uint32_t r, uint32_t s) {
  resource_index.push_back(r);
  scope_index.push_back(s);
  trace_id.emplace_back();
  span_id.emplace_back();
  parent_span_id.emplace_back();
  trace_state.emplace_back();
  flags.push_back(0);
  name.emplace_back();
  kind.push_back(SpanKind::kUnspecified);
  start_ns.push_back(0);
  end_ns.push_back(0);
  attributes.emplace_back();
  dropped_attributes_count.push_back(0);
  events.emplace_back();
  dropped_events_count.push_back(0);
  links.emplace_back();
  dropped_links_count.push_back(0);
  status_code.push_back(StatusCodeValue::kUnset);
  status_message.emplace_back();
  return size() - 1;
}

void SpanBatch::AppendRow(const SpanBatch& src, size_t row) {
  uint32_t r = IndexOf(resources, src.resource(row));
  uint32_t s = IndexOf(scopes, src.scope(row));
  size_t i = AddRow(r, s);
  trace_id[i] = src.trace_id[row];
  span_id[i] = src.span_id[row];
  parent_span_id[i] = src.parent_span_id[row];
  trace_state[i] = src.trace_state[row];
  flags[i] = src.flags[row];
  name[i] = src.name[row];
  kind[i] = src.kind[row];
  start_ns[i] = src.start_ns[row];
  end_ns[i] = src.end_ns[row];
  attributes[i] = src.attributes[row];
  dropped_attributes_count[i] = src.dropped_attributes_count[row];
  events[i] = src.events[row];
  dropped_events_count[i] = src.dropped_events_count[row];
  links[i] = src.links[row];
  dropped_links_count[i] = src.dropped_links_count[row];
  status_code[i] = src.status_code[row];
  status_message[i] = src.status_message[row];
}

void SpanBatch::Append(SpanBatch&& src) {
  const auto r_off = static_cast<uint32_t>(resources.size());
  const auto s_off = static_cast<uint32_t>(scopes.size());
  MoveAppend(resources, src.resources);
  MoveAppend(scopes, src.scopes);
  for (uint32_t r : src.resource_index) resource_index.push_back(r + r_off);
  for (uint32_t s : src.scope_index) scope_index.push_back(s + s_off);
  MoveAppend(trace_id, src.trace_id);
  MoveAppend(span_id, src.span_id);
  MoveAppend(parent_span_id, src.parent_span_id);
  MoveAppend(trace_state, src.trace_state);
  MoveAppend(flags, src.flags);
  MoveAppend(name, src.name);
  MoveAppend(kind, src.kind);
  MoveAppend(start_ns, src.start_ns);
  MoveAppend(end_ns, src.end_ns);
  MoveAppend(attributes, src.attributes);
  MoveAppend(dropped_attributes_count, src.dropped_attributes_count);
  MoveAppend(events, src.events);
  MoveAppend(dropped_events_count, src.dropped_events_count);
  MoveAppend(links, src.links);
  MoveAppend(dropped_links_count, src.dropped_links_count);
  MoveAppend(status_code, src.status_code);
  MoveAppend(status_message, src.status_message);
  src = SpanBatch{};
}

void SpanBatch::Permute(const std::vector<uint32_t>& order) {
  PermuteColumn(resource_index, order);
  PermuteColumn(scope_index, order);
  PermuteColumn(trace_id, order);
  PermuteColumn(span_id, order);
  PermuteColumn(parent_span_id, order);
  PermuteColumn(trace_state, order);
  PermuteColumn(flags, order);
  PermuteColumn(name, order);
  PermuteColumn(kind, order);
  PermuteColumn(start_ns, order);
  PermuteColumn(end_ns, order);
  PermuteColumn(attributes, order);
  PermuteColumn(dropped_attributes_count, order);
  PermuteColumn(events, order);
  PermuteColumn(dropped_events_count, order);
  PermuteColumn(links, order);
  PermuteColumn(dropped_links_count, order);
  PermuteColumn(status_code, order);
  PermuteColumn(status_message, order);
}

size_t SpanBatch::ApproximateBytes() const {
  size_t n = size() * (sizeof(TraceId) + 2 * sizeof(SpanId) + 2 * sizeof(std::string) + 64 +
                       sizeof(Attributes) + 2 * sizeof(std::vector<SpanEvent>));
  // Variable-size parts: exact up to kSampledRows rows, else measured on an evenly spaced sample
  // and scaled, so that the cost stays constant per batch.
  constexpr size_t kSampledRows = 64;
  const size_t stride = size() <= kSampledRows ? 1 : size() / kSampledRows;
  size_t sampled = 0, sampled_bytes = 0;
  for (size_t i = 0; i < size(); i += stride, ++sampled) {
    size_t m = name[i].capacity() + status_message[i].capacity() + trace_state[i].capacity();
    m += AttributesBytes(attributes[i]);
    for (const auto& e : events[i]) {
      m += sizeof(SpanEvent) + e.name.capacity() + AttributesBytes(e.attributes);
    }
    for (const auto& l : links[i]) m += sizeof(SpanLink) + AttributesBytes(l.attributes);
    sampled_bytes += m;
  }
  if (sampled > 0) n += sampled_bytes / sampled * size() + sampled_bytes % sampled;
  for (const auto& r : resources) n += sizeof(Resource) + AttributesBytes(r.attributes);
  return n;
}

bool SpanBatch::IsConsistent() const {
  const size_t n = size();
  bool sizes = resource_index.size() == n && scope_index.size() == n && span_id.size() == n &&
               parent_span_id.size() == n && trace_state.size() == n && flags.size() == n &&
               name.size() == n && kind.size() == n && start_ns.size() == n && end_ns.size() == n &&
               attributes.size() == n && dropped_attributes_count.size() == n &&
               events.size() == n && dropped_events_count.size() == n && links.size() == n &&
               dropped_links_count.size() == n && status_code.size() == n &&
               status_message.size() == n;
  if (!sizes) return false;
  return std::all_of(resource_index.begin(), resource_index.end(),
                     [&](uint32_t r) { return r < resources.size(); }) &&
         std::all_of(scope_index.begin(), scope_index.end(),
                     [&](uint32_t s) { return s < scopes.size(); });
}

}  // namespace periscope
