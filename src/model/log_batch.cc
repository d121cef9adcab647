#include "model/log_batch.h"

#include <algorithm>
#include <cctype>

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

template <typename T>
uint32_t IndexOf(std::vector<T>& pool, const T& item) {
  for (size_t i = pool.size(); i-- > 0;) {
    if (pool[i] == item) return static_cast<uint32_t>(i);
  }
  pool.push_back(item);
  return static_cast<uint32_t>(pool.size() - 1);
}

size_t AttributesBytes(const Attributes& attrs) {
  size_t n = attrs.capacity() * sizeof(KeyValue);
  for (const auto& kv : attrs) n += kv.key.capacity() + kv.value.str.capacity();
  return n;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

SeverityClass ClassifySeverity(int32_t n, std::string_view text) {
  if (n >= 1 && n <= 24) return static_cast<SeverityClass>(1 + (n - 1) / 4);
  return SeverityClassFromName(text);
}

std::string_view SeverityClassName(SeverityClass c) {
  switch (c) {
    case SeverityClass::kTrace:
      return "trace";
    case SeverityClass::kDebug:
      return "debug";
    case SeverityClass::kInfo:
      return "info";
    case SeverityClass::kWarn:
      return "warn";
    case SeverityClass::kError:
      return "error";
    case SeverityClass::kFatal:
      return "fatal";
    case SeverityClass::kUnset:
      break;
  }
  return "unset";
}

SeverityClass SeverityClassFromName(std::string_view name) {
  std::string s = Lower(name);
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s == "trace") return SeverityClass::kTrace;
  if (s == "debug" || s == "d" || s == "verbose" || s == "v") return SeverityClass::kDebug;
  if (s == "info" || s == "i" || s == "notice" || s == "information") return SeverityClass::kInfo;
  if (s == "warn" || s == "warning" || s == "w") return SeverityClass::kWarn;
  if (s == "error" || s == "err" || s == "e" || s == "severe") return SeverityClass::kError;
  if (s == "fatal" || s == "critical" || s == "crit" || s == "alert" || s == "emerg" ||
      s == "emergency" || s == "f" || s == "panic") {
    return SeverityClass::kFatal;
  }
  return SeverityClass::kUnset;
}

size_t LogBatch::AddRow(uint32_t r, uint32_t s) {
  resource_index.push_back(r);
  scope_index.push_back(s);
  time_ns.push_back(0);
  observed_time_ns.push_back(0);
  severity_number.push_back(0);
  severity_text.emplace_back();
  body.emplace_back();
  trace_id.emplace_back();
  span_id.emplace_back();
  flags.push_back(0);
  event_name.emplace_back();
  attributes.emplace_back();
  dropped_attributes_count.push_back(0);
  return size() - 1;
}

void LogBatch::AppendRow(const LogBatch& src, size_t row) {
  const uint32_t r = IndexOf(resources, src.resource(row));
  const uint32_t s = IndexOf(scopes, src.scope(row));
  const size_t i = AddRow(r, s);
  time_ns[i] = src.time_ns[row];
  observed_time_ns[i] = src.observed_time_ns[row];
  severity_number[i] = src.severity_number[row];
  severity_text[i] = src.severity_text[row];
  body[i] = src.body[row];
  trace_id[i] = src.trace_id[row];
  span_id[i] = src.span_id[row];
  flags[i] = src.flags[row];
  event_name[i] = src.event_name[row];
  attributes[i] = src.attributes[row];
  dropped_attributes_count[i] = src.dropped_attributes_count[row];
}

void LogBatch::Append(LogBatch&& src) {
  if (src.empty()) return;
  std::vector<uint32_t> rmap, smap;
  for (const auto& r : src.resources) rmap.push_back(IndexOf(resources, r));
  for (const auto& s : src.scopes) smap.push_back(IndexOf(scopes, s));
  for (uint32_t i : src.resource_index) resource_index.push_back(rmap[i]);
  for (uint32_t i : src.scope_index) scope_index.push_back(smap[i]);
  MoveAppend(time_ns, src.time_ns);
  MoveAppend(observed_time_ns, src.observed_time_ns);
  MoveAppend(severity_number, src.severity_number);
  MoveAppend(severity_text, src.severity_text);
  MoveAppend(body, src.body);
  MoveAppend(trace_id, src.trace_id);
  MoveAppend(span_id, src.span_id);
  MoveAppend(flags, src.flags);
  MoveAppend(event_name, src.event_name);
  MoveAppend(attributes, src.attributes);
  MoveAppend(dropped_attributes_count, src.dropped_attributes_count);
  src = LogBatch();
}

void LogBatch::Permute(const std::vector<uint32_t>& order) {
  PermuteColumn(resource_index, order);
  PermuteColumn(scope_index, order);
  PermuteColumn(time_ns, order);
  PermuteColumn(observed_time_ns, order);
  PermuteColumn(severity_number, order);
  PermuteColumn(severity_text, order);
  PermuteColumn(body, order);
  PermuteColumn(trace_id, order);
  PermuteColumn(span_id, order);
  PermuteColumn(flags, order);
  PermuteColumn(event_name, order);
  PermuteColumn(attributes, order);
  PermuteColumn(dropped_attributes_count, order);
}

size_t LogBatch::ApproximateBytes() const {
  size_t n = size() * (2 * sizeof(uint32_t) + 2 * sizeof(int64_t) + sizeof(int32_t) +
                       sizeof(TraceId) + sizeof(SpanId) + 2 * sizeof(uint32_t) +
                       3 * sizeof(std::string) + sizeof(AnyValue) + sizeof(Attributes));
  for (size_t i = 0; i < size(); ++i) {
    n += severity_text[i].capacity() + body[i].str.capacity() + event_name[i].capacity() +
         AttributesBytes(attributes[i]);
  }
  for (const auto& r : resources) n += AttributesBytes(r.attributes) + sizeof(Resource);
  for (const auto& s : scopes) n += AttributesBytes(s.attributes) + sizeof(Scope);
  return n;
}

bool LogBatch::IsConsistent() const {
  const size_t n = size();
  for (size_t c :
       {resource_index.size(), scope_index.size(), observed_time_ns.size(), severity_number.size(),
        severity_text.size(), body.size(), trace_id.size(), span_id.size(), flags.size(),
        event_name.size(), attributes.size(), dropped_attributes_count.size()}) {
    if (c != n) return false;
  }
  return std::all_of(resource_index.begin(), resource_index.end(),
                     [&](uint32_t i) { return i < resources.size(); }) &&
         std::all_of(scope_index.begin(), scope_index.end(),
                     [&](uint32_t i) { return i < scopes.size(); });
}

}  // namespace periscope
