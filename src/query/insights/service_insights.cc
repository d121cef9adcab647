#include "query/insights/service_insights.h"

#include "model/metric_labels.h"

namespace periscope {

namespace {

Result<std::vector<LabelMatcher>> Matchers(
    std::initializer_list<std::pair<const char*, std::string_view>> equal) {
  std::vector<LabelMatcher> out;
  for (const auto& [name, value] : equal) {
    if (value.empty()) continue;
    ASSIGN_OR_RETURN(auto m, LabelMatcher::Make(name, MatchOp::kEqual, std::string(value)));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out.push_back('\x1f');
    out.append(p);
  }
  return out;
}

Result<std::vector<std::map<std::string, RedAccumulator>>> GroupSpanMetricsBy(
    const MetricTable& table, const RedFilter& filter, const StepGrid& grid,
    const std::vector<RedGroupKey>& keys) {
  std::vector<std::map<std::string, RedAccumulator>> groups(keys.size());
  auto group = [&](size_t g, const Labels& labels) -> RedAccumulator* {
    std::string k = keys[g](labels);
    if (k.empty()) return nullptr;
    auto it = groups[g].try_emplace(std::move(k), grid).first;
    return &it->second;
  };
  ASSIGN_OR_RETURN(auto calls_m, Matchers({{"__name__", kSpanCallsMetric},
                                           {"env", filter.env},
                                           {"service", filter.service},
                                           {"version", filter.version}}));
  ASSIGN_OR_RETURN(auto calls, CounterIncreases(table, filter.tenant, calls_m, grid));
  for (const auto& inc : calls) {
    const bool error = LabelValue(inc.labels, "status_code") == "STATUS_CODE_ERROR";
    for (size_t g = 0; g < keys.size(); ++g) {
      RedAccumulator* acc = group(g, inc.labels);
      if (!acc) continue;
      acc->AddCalls(inc, error);
      acc->AddTag(std::string(LabelValue(inc.labels, "env")),
                  std::string(LabelValue(inc.labels, "version")));
    }
  }
  ASSIGN_OR_RETURN(auto buckets_m, Matchers({{"__name__", kSpanLatencyBucketMetric},
                                             {"env", filter.env},
                                             {"service", filter.service},
                                             {"version", filter.version}}));
  ASSIGN_OR_RETURN(auto buckets, CounterIncreases(table, filter.tenant, buckets_m, grid));
  for (const auto& inc : buckets) {
    double le = 0;
    if (!ParseLeLabel(LabelValue(inc.labels, "le"), &le)) continue;
    for (size_t g = 0; g < keys.size(); ++g) {
      RedAccumulator* acc = group(g, inc.labels);
      if (acc) acc->AddLatencyBucket(le, inc);
    }
  }
  return groups;
}

Result<std::map<std::string, RedAccumulator>> GroupSpanMetrics(const MetricTable& table,
                                                               const RedFilter& filter,
                                                               const StepGrid& grid,
                                                               const RedGroupKey& key) {
  ASSIGN_OR_RETURN(auto groups, GroupSpanMetricsBy(table, filter, grid, {key}));
  return std::move(groups[0]);
}

Result<std::map<EdgeKey, RedAccumulator>> GroupServiceGraph(const MetricTable& table,
                                                            const std::string& tenant,
                                                            const std::string& service,
                                                            const StepGrid& grid) {
  std::map<EdgeKey, RedAccumulator> edges;
  auto read = [&](const char* metric, auto&& add) -> Status {
    ASSIGN_OR_RETURN(auto m, Matchers({{"__name__", metric}}));
    ASSIGN_OR_RETURN(auto incs, CounterIncreases(table, tenant, m, grid));
    for (const auto& inc : incs) {
      EdgeKey k{std::string(LabelValue(inc.labels, "client")),
                std::string(LabelValue(inc.labels, "server"))};
      if (!service.empty() && k.first != service && k.second != service) continue;
      add(edges.try_emplace(k, grid).first->second, inc);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(read(kGraphTotalMetric, [](RedAccumulator& acc, const SeriesIncrease& inc) {
    acc.AddCalls(inc, false);
  }));
  RETURN_IF_ERROR(read(kGraphFailedMetric,
                       [](RedAccumulator& acc, const SeriesIncrease& inc) { acc.AddErrors(inc); }));
  RETURN_IF_ERROR(
      read(kGraphServerBucketMetric, [](RedAccumulator& acc, const SeriesIncrease& inc) {
        double le = 0;
        if (ParseLeLabel(LabelValue(inc.labels, "le"), &le)) acc.AddLatencyBucket(le, inc);
      }));
  return edges;
}

}  // namespace periscope
