#include "query/metrics/range_query.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "model/metric_labels.h"

namespace periscope {

namespace {

constexpr uint64_t kStaleNaN = 0x7ff0000000000002ull;
constexpr int64_t kMaxSteps = 11000;

bool IsStale(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return bits == kStaleNaN;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string Ident() {
    SkipSpace();
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              s_[i_] == ':' || s_[i_] == '.')) {
      ++i_;
    }
    return std::string(s_.substr(b, i_ - b));
  }
  Result<std::string> Quoted() {
    SkipSpace();
    if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) {
      return Status::InvalidArgument("expected a quoted value at offset {}", i_);
    }
    const char q = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        c = s_[i_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out += c;
    }
    if (i_ >= s_.size()) return Status::InvalidArgument("unterminated string in selector");
    ++i_;
    return out;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ >= s_.size();
  }
  size_t pos() const { return i_; }
  std::string_view rest() const { return s_.substr(i_); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<std::vector<LabelMatcher>> ParseSeriesSelector(std::string_view text) {
  Lexer lx(text);
  std::vector<LabelMatcher> out;
  std::string name = lx.Ident();
  if (!name.empty()) {
    ASSIGN_OR_RETURN(auto m, LabelMatcher::Make("__name__", MatchOp::kEqual, name));
    out.push_back(std::move(m));
  }
  if (lx.Eat('{')) {
    while (!lx.Eat('}')) {
      std::string label = lx.Ident();
      if (label.empty()) {
        return Status::InvalidArgument("expected a label name at offset {} of selector", lx.pos());
      }
      MatchOp op;
      if (lx.Eat('=')) {
        op = lx.Eat('~') ? MatchOp::kRegex : MatchOp::kEqual;
      } else if (lx.Eat('!')) {
        if (lx.Eat('=')) {
          op = MatchOp::kNotEqual;
        } else if (lx.Eat('~')) {
          op = MatchOp::kNotRegex;
        } else {
          return Status::InvalidArgument("expected != or !~ at offset {}", lx.pos());
        }
      } else {
        return Status::InvalidArgument("expected a matcher operator at offset {}", lx.pos());
      }
      ASSIGN_OR_RETURN(std::string value, lx.Quoted());
      ASSIGN_OR_RETURN(auto m, LabelMatcher::Make(std::move(label), op, std::move(value)));
      out.push_back(std::move(m));
      if (!lx.Eat(',')) {
        if (!lx.Eat('}')) return Status::InvalidArgument("expected , or }} at offset {}", lx.pos());
        break;
      }
    }
  }
  if (!lx.AtEnd()) {
    return Status::InvalidArgument("unexpected '{}' in selector", std::string(lx.rest()));
  }
  if (out.empty()) return Status::InvalidArgument("empty selector");
  return out;
}

namespace {

bool IsDelta(MetricKind k) { return k == MetricKind::kDeltaCounter || k == MetricKind::kDeltaSum; }

// Value of one series at t, or NaN when it has none.
double EvalAt(const MetricSeries& s, const MetricRangeQuery& q, int64_t t) {
  const auto& ts = s.time_ms;
  // Samples in (t - window, t].
  auto lo = std::upper_bound(ts.begin(), ts.end(), t - q.window_ms) - ts.begin();
  auto hi = std::upper_bound(ts.begin(), ts.end(), t) - ts.begin();
  if (q.fn.empty()) {
    for (auto i = hi - 1; i >= lo; --i) {
      if (!IsStale(s.values[i])) return s.values[i];
    }
    return NAN;
  }
  const double window_s = static_cast<double>(q.window_ms) / 1000.0;
  if (IsDelta(s.kind)) {
    double sum = 0;
    bool any = false;
    for (auto i = lo; i < hi; ++i) {
      if (IsStale(s.values[i])) continue;
      sum += s.values[i];
      any = true;
    }
    if (!any) return NAN;
    return q.fn == "rate" ? sum / window_s : sum;
  }
  const bool has_start = s.start_ms.size() == ts.size();
  double increase = 0;
  int64_t first_t = 0, last_t = 0;
  double first_v = 0;
  int64_t first_start = 0;
  double prev = NAN;
  int64_t prev_start = 0;
  int n = 0;
  for (auto i = lo; i < hi; ++i) {
    const double v = s.values[i];
    if (IsStale(v) || std::isnan(v)) continue;
    const int64_t start = has_start ? s.start_ms[i] : 0;
    if (n == 0) {
      first_t = ts[i];
      first_v = v;
      first_start = start;
    } else {
      const bool reset = v < prev || (has_start && start != prev_start && start != 0);
      increase += reset ? v : v - prev;
    }
    prev = v;
    prev_start = start;
    last_t = ts[i];
    ++n;
  }
  if (n == 0) return NAN;
  const int64_t range_start = t - q.window_ms;
  double result;
  if (first_start != 0 && first_start > range_start && first_start <= first_t) {
    // OTLP start time inside the window: the counter began at 0 then, so the increase is exact.
    result = increase + first_v;
  } else {
    // Prometheus's extrapolation: extend the sampled increase towards the window edges by at
    // most ~half a scrape interval, and never below zero for counters.
    if (n < 2 || last_t <= first_t) return NAN;
    const double sampled = static_cast<double>(last_t - first_t);
    const double avg_step = sampled / (n - 1);
    double to_start = static_cast<double>(first_t - range_start);
    const double to_end = static_cast<double>(t - last_t);
    if (increase > 0 && first_v >= 0) {
      const double to_zero = sampled * (first_v / increase);
      if (to_zero < to_start) to_start = to_zero;
    }
    const double threshold = avg_step * 1.1;
    double interval = sampled;
    interval += to_start < threshold ? to_start : avg_step / 2;
    interval += to_end < threshold ? to_end : avg_step / 2;
    result = increase * (interval / sampled);
  }
  return q.fn == "rate" ? result / window_s : result;
}

Labels GroupLabels(const Labels& labels, const std::vector<std::string>& by) {
  Labels out;
  for (const auto& name : by) {
    std::string_view v = LabelValue(labels, name);
    if (!v.empty()) out.emplace_back(name, std::string(v));
  }
  NormalizeLabels(out);
  return out;
}

}  // namespace

Result<std::vector<MetricResultSeries>> RunMetricRangeQuery(const MetricTable& table,
                                                            const MetricRangeQuery& q) {
  if (!q.fn.empty() && q.fn != "rate" && q.fn != "increase") {
    return Status::InvalidArgument("fn must be rate or increase, not '{}'", q.fn);
  }
  static const char* kAggs[] = {"", "sum", "avg", "min", "max", "count"};
  if (std::none_of(std::begin(kAggs), std::end(kAggs), [&](const char* a) { return q.agg == a; })) {
    return Status::InvalidArgument("agg must be sum, avg, min, max or count, not '{}'", q.agg);
  }
  if (q.step_ms <= 0) return Status::InvalidArgument("step must be positive");
  if (q.window_ms <= 0) return Status::InvalidArgument("window must be positive");
  if (q.end_ms < q.start_ms) return Status::InvalidArgument("end is before start");
  if ((q.end_ms - q.start_ms) / q.step_ms >= kMaxSteps) {
    return Status::InvalidArgument("more than {} steps; raise step", kMaxSteps);
  }
  ASSIGN_OR_RETURN(auto selected,
                   table.Select(q.tenant, q.matchers, q.start_ms - q.window_ms, q.end_ms));
  std::vector<MetricResultSeries> raw;
  raw.reserve(selected.size());
  for (const auto& sel : selected) {
    MetricResultSeries r;
    r.labels = sel.series.labels;
    if (!q.fn.empty()) {
      std::erase_if(r.labels, [](const Label& l) { return l.first == kMetricNameLabel; });
    }
    for (int64_t t = q.start_ms; t <= q.end_ms; t += q.step_ms) {
      const double v = EvalAt(sel.series, q, t);
      if (!std::isnan(v)) r.points.emplace_back(t, v);
    }
    if (!r.points.empty()) raw.push_back(std::move(r));
  }
  if (q.agg.empty()) {
    std::sort(raw.begin(), raw.end(),
              [](const auto& a, const auto& b) { return a.labels < b.labels; });
    return raw;
  }
  struct Acc {
    double v = 0;
    int64_t n = 0;
  };
  std::map<Labels, std::map<int64_t, Acc>> groups;
  for (const auto& r : raw) {
    auto& g = groups[GroupLabels(r.labels, q.by)];
    for (const auto& [t, v] : r.points) {
      Acc& a = g[t];
      if (a.n == 0) {
        a.v = q.agg == "count" ? 1 : v;
      } else if (q.agg == "sum" || q.agg == "avg") {
        a.v += v;
      } else if (q.agg == "min") {
        a.v = std::min(a.v, v);
      } else if (q.agg == "max") {
        a.v = std::max(a.v, v);
      } else {
        a.v += 1;
      }
      ++a.n;
    }
  }
  std::vector<MetricResultSeries> out;
  for (auto& [labels, points] : groups) {
    MetricResultSeries r;
    r.labels = labels;
    for (const auto& [t, a] : points) {
      r.points.emplace_back(t, q.agg == "avg" ? a.v / static_cast<double>(a.n) : a.v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace periscope
