#include "query/insights/facets.h"

#include <algorithm>

#include "query/trace_queries.h"

namespace periscope {

namespace {

const char* KindText(SpanKind k) {
  static constexpr const char* kNames[] = {"unspecified", "internal", "server",
                                           "client",      "producer", "consumer"};
  const auto i = static_cast<size_t>(k);
  return i < std::size(kNames) ? kNames[i] : "unspecified";
}

const char* StatusText(StatusCodeValue s) {
  switch (s) {
    case StatusCodeValue::kOk:
      return "ok";
    case StatusCodeValue::kError:
      return "error";
    default:
      return "unset";
  }
}

std::string AttributeValue(const Attributes& first, const Attributes& second,
                           std::string_view key) {
  if (!key.empty() && key[0] == '@') key.remove_prefix(1);
  if (const AnyValue* v = FindAttribute(first, key)) return v->ToString();
  if (const AnyValue* v = FindAttribute(second, key)) return v->ToString();
  return "";
}

}  // namespace

FacetCounter::FacetCounter(std::vector<std::string> fields, size_t max_distinct)
    : fields_(std::move(fields)), max_distinct_(max_distinct), counts_(fields_.size()) {}

void FacetCounter::Add(size_t field, std::string_view value) {
  if (value.empty()) return;
  auto& m = counts_[field];
  auto it = m.find(std::string(value));
  if (it != m.end()) {
    ++it->second;
  } else if (m.size() < max_distinct_) {
    m.emplace(std::string(value), 1);
  }
}

std::vector<FacetValue> FacetCounter::Top(size_t field, size_t top) const {
  std::vector<FacetValue> all;
  all.reserve(counts_[field].size());
  for (const auto& [v, n] : counts_[field]) all.push_back({v, n});
  auto by_count = [](const FacetValue& a, const FacetValue& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  };
  if (all.size() > top) {
    std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(top), all.end(), by_count);
    all.resize(top);
  } else {
    std::sort(all.begin(), all.end(), by_count);
  }
  return all;
}

const std::vector<double>& FacetDurationBucketsMs() {
  static const std::vector<double> kBounds = {1,   2,    5,    10,   20,    50,    100,  200,
                                              500, 1000, 2000, 5000, 10000, 30000, 60000};
  return kBounds;
}

std::string SpanFieldValue(const SpanBatch& b, size_t row, std::string_view field) {
  const UnifiedTags& tags = b.tags(row);
  if (field == "service") return tags.service;
  if (field == "env") return tags.env;
  if (field == "version") return tags.version;
  if (field == "host") return tags.host;
  if (field == "name" || field == "operation") return b.name[row];
  if (field == "status") return StatusText(b.status_code[row]);
  if (field == "kind") return KindText(b.kind[row]);
  if (field == "trace_id") return b.trace_id[row].Hex();
  return AttributeValue(b.attributes[row], b.resource(row).attributes, field);
}

std::string LogFieldValue(const LogBatch& b, size_t row, std::string_view field) {
  const UnifiedTags& tags = b.tags(row);
  if (field == "service") return tags.service;
  if (field == "env") return tags.env;
  if (field == "version") return tags.version;
  if (field == "host") return tags.host;
  if (field == "level" || field == "status") {
    return std::string(SeverityClassName(b.severity_class(row)));
  }
  if (field == "severity") return b.severity_text[row];
  if (field == "trace_id") return b.trace_id[row].IsZero() ? "" : b.trace_id[row].Hex();
  if (field == "event_name") return b.event_name[row];
  return AttributeValue(b.attributes[row], b.resource(row).attributes, field);
}

Result<SpanFacets> CountSpanFacets(const TraceQueries& traces, const SpanQuery& query,
                                   const SpanSearch& search, const std::vector<std::string>& fields,
                                   size_t top, uint64_t max_rows) {
  static const char* kBuiltIn[] = {"service", "env",    "version", "host",
                                   "name",    "status", "kind",    "operation"};
  bool needs_attributes = false;
  for (const auto& f : fields) {
    if (std::none_of(std::begin(kBuiltIn), std::end(kBuiltIn),
                     [&](const char* b) { return f == b; })) {
      needs_attributes = true;
    }
  }
  SpanFacets out;
  FacetCounter counter(fields);
  const auto& bounds = FacetDurationBucketsMs();
  out.duration_counts.assign(bounds.size() + 1, 0);
  RETURN_IF_ERROR(
      traces.ScanSpans(query, search, needs_attributes, [&](const SpanBatch& b, size_t row) {
        if (out.total_spans == max_rows) {
          out.sampled = true;
          return false;
        }
        ++out.total_spans;
        for (size_t f = 0; f < fields.size(); ++f)
          counter.Add(f, SpanFieldValue(b, row, fields[f]));
        const double ms = static_cast<double>(b.duration_ns(row)) / 1e6;
        const size_t i = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), ms) -
                                             bounds.begin());
        ++out.duration_counts[i];
        return true;
      }));
  for (size_t f = 0; f < fields.size(); ++f)
    out.facets.emplace_back(fields[f], counter.Top(f, top));
  return out;
}

Result<LogFacets> CountLogFacets(const LogTable& table, const LogSearchRequest& request,
                                 const std::vector<std::string>& fields, size_t top,
                                 uint64_t max_rows) {
  LogFacets out;
  FacetCounter counter(fields);
  RETURN_IF_ERROR(ForEachMatchingLog(table, request, [&](const LogBatch& b, size_t row) {
    if (out.total == max_rows) {
      out.sampled = true;
      return false;
    }
    ++out.total;
    for (size_t f = 0; f < fields.size(); ++f) counter.Add(f, LogFieldValue(b, row, fields[f]));
    return true;
  }));
  for (size_t f = 0; f < fields.size(); ++f)
    out.facets.emplace_back(fields[f], counter.Top(f, top));
  return out;
}

}  // namespace periscope
