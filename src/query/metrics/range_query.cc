#include "query/metrics/range_query.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

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

enum class Fn { kRaw, kRate, kIncrease };
enum class Agg { kNone, kSum, kAvg, kMin, kMax, kCount };

bool IsDelta(MetricKind k) { return k == MetricKind::kDeltaCounter || k == MetricKind::kDeltaSum; }

// Value of one series at t from its samples [lo, hi) (those in (t - window, t]), or NaN.
double EvalWindow(const MetricSeries& s, bool clean, Fn fn, int64_t window_ms, int64_t t, size_t lo,
                  size_t hi) {
  const auto& ts = s.time_ms;
  if (fn == Fn::kRaw) {
    for (size_t i = hi; i > lo; --i) {
      if (!IsStale(s.values[i - 1])) return s.values[i - 1];
    }
    return NAN;
  }
  const double window_s = static_cast<double>(window_ms) / 1000.0;
  if (IsDelta(s.kind)) {
    double sum = 0;
    bool any = false;
    for (size_t i = lo; i < hi; ++i) {
      if (IsStale(s.values[i])) continue;
      sum += s.values[i];
      any = true;
    }
    if (!any) return NAN;
    return fn == Fn::kRate ? sum / window_s : sum;
  }
  const bool has_start = s.start_ms.size() == ts.size();
  double increase = 0;
  int64_t first_t = 0, last_t = 0;
  double first_v = 0;
  int64_t first_start = 0;
  double prev = NAN;
  int64_t prev_start = 0;
  int n = 0;
  if (clean) {
    // No NaN and no start times: the loop below without its branches, same arithmetic.
    first_t = ts[lo];
    last_t = ts[hi - 1];
    first_v = prev = s.values[lo];
    for (size_t i = lo + 1; i < hi; ++i) {
      const double v = s.values[i];
      increase += v < prev ? v : v - prev;
      prev = v;
    }
    n = static_cast<int>(hi - lo);
  }
  for (size_t i = clean ? hi : lo; i < hi; ++i) {
    const double v = s.values[i];
    if (std::isnan(v)) continue;  // stale markers are NaNs too
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
  const int64_t range_start = t - window_ms;
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
  return fn == Fn::kRate ? result / window_s : result;
}

// Calls emit(step, value) for every step t = start + step * step_ms with a value, in one
// forward pass: the window bounds only move right.
template <typename Emit>
void EvalSteps(const MetricSeries& s, Fn fn, const MetricRangeQuery& q, size_t steps, Emit emit) {
  const auto& ts = s.time_ms;
  const size_t n = ts.size();
  const bool clean = s.start_ms.empty() && std::none_of(s.values.begin(), s.values.end(),
                                                        [](double v) { return std::isnan(v); });
  size_t lo = 0, hi = 0;
  for (size_t k = 0; k < steps; ++k) {
    const int64_t t = q.start_ms + static_cast<int64_t>(k) * q.step_ms;
    while (lo < n && ts[lo] <= t - q.window_ms) ++lo;
    if (hi < lo) hi = lo;
    while (hi < n && ts[hi] <= t) ++hi;
    if (lo == hi) continue;
    const double v = EvalWindow(s, clean, fn, q.window_ms, t, lo, hi);
    if (!std::isnan(v)) emit(k, v);
  }
}

// Accumulates one aggregate per (group, step) in flat arrays. Not thread-safe.
class Aggregator {
 public:
  // drop_name: `__name__` is not a label of the evaluated series (fn drops it).
  Aggregator(Agg agg, const std::vector<std::string>& by, bool drop_name, size_t steps)
      : agg_(agg), by_(by), steps_(steps) {
    if (drop_name) std::erase(by_, std::string(kMetricNameLabel));
  }

  // The group of a series' labels (created on first use).
  size_t GroupOf(const Labels& labels) {
    key_.clear();
    for (const auto& name : by_) {
      std::string_view v = LabelValue(labels, name);
      key_.append(std::to_string(v.size()));
      key_.push_back(':');
      key_.append(v);
    }
    auto [it, inserted] = index_.try_emplace(key_, groups_.size());
    if (inserted) {
      Labels out;
      for (const auto& name : by_) {
        std::string_view v = LabelValue(labels, name);
        if (!v.empty()) out.emplace_back(name, std::string(v));
      }
      NormalizeLabels(out);
      groups_.push_back(std::move(out));
      values_.resize(groups_.size() * steps_, 0);
      counts_.resize(groups_.size() * steps_, 0);
    }
    return it->second;
  }

  void Add(size_t group, size_t step, double v) {
    const size_t i = group * steps_ + step;
    double& a = values_[i];
    if (counts_[i]++ == 0) {
      a = agg_ == Agg::kCount ? 1 : v;
      return;
    }
    switch (agg_) {
      case Agg::kSum:
      case Agg::kAvg:
        a += v;
        break;
      case Agg::kMin:
        a = std::min(a, v);
        break;
      case Agg::kMax:
        a = std::max(a, v);
        break;
      default:
        a += 1;
    }
  }

  std::vector<MetricResultSeries> Finish(const MetricRangeQuery& q) {
    std::vector<MetricResultSeries> out;
    out.reserve(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
      MetricResultSeries r;
      r.labels = std::move(groups_[g]);
      for (size_t k = 0; k < steps_; ++k) {
        const size_t i = g * steps_ + k;
        if (counts_[i] == 0) continue;
        const double v =
            agg_ == Agg::kAvg ? values_[i] / static_cast<double>(counts_[i]) : values_[i];
        r.points.emplace_back(q.start_ms + static_cast<int64_t>(k) * q.step_ms, v);
      }
      out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.labels < b.labels; });
    return out;
  }

 private:
  Agg agg_;
  std::vector<std::string> by_;
  size_t steps_;
  std::string key_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<Labels> groups_;
  std::vector<double> values_;
  std::vector<int64_t> counts_;
};

}  // namespace

Result<std::vector<MetricResultSeries>> RunMetricRangeQuery(const MetricTable& table,
                                                            const MetricRangeQuery& q) {
  Fn fn;
  if (q.fn.empty()) {
    fn = Fn::kRaw;
  } else if (q.fn == "rate") {
    fn = Fn::kRate;
  } else if (q.fn == "increase") {
    fn = Fn::kIncrease;
  } else {
    return Status::InvalidArgument("fn must be rate or increase, not '{}'", q.fn);
  }
  static constexpr std::pair<std::string_view, Agg> kAggs[] = {
      {"", Agg::kNone},   {"sum", Agg::kSum}, {"avg", Agg::kAvg},
      {"min", Agg::kMin}, {"max", Agg::kMax}, {"count", Agg::kCount}};
  const auto agg_it = std::find_if(std::begin(kAggs), std::end(kAggs),
                                   [&](const auto& a) { return q.agg == a.first; });
  if (agg_it == std::end(kAggs)) {
    return Status::InvalidArgument("agg must be sum, avg, min, max or count, not '{}'", q.agg);
  }
  const Agg agg = agg_it->second;
  if (q.step_ms <= 0) return Status::InvalidArgument("step must be positive");
  if (q.window_ms <= 0) return Status::InvalidArgument("window must be positive");
  if (q.end_ms < q.start_ms) return Status::InvalidArgument("end is before start");
  if ((q.end_ms - q.start_ms) / q.step_ms >= kMaxSteps) {
    return Status::InvalidArgument("more than {} steps; raise step", kMaxSteps);
  }
  const size_t steps = static_cast<size_t>((q.end_ms - q.start_ms) / q.step_ms) + 1;
  // Series arrive one at a time in label order and are evaluated at once (their samples are
  // not kept): aggregates are added to in place, in that order.
  if (agg != Agg::kNone) {
    Aggregator acc(agg, q.by, fn != Fn::kRaw, steps);
    RETURN_IF_ERROR(table.Scan(q.tenant, q.matchers, q.start_ms - q.window_ms, q.end_ms,
                               [&](uint32_t, SelectedSeries& sel) {
                                 size_t group = SIZE_MAX;  // made on the first point
                                 EvalSteps(sel.series, fn, q, steps, [&](size_t k, double v) {
                                   if (group == SIZE_MAX) group = acc.GroupOf(sel.series.labels);
                                   acc.Add(group, k, v);
                                 });
                               }));
    return acc.Finish(q);
  }
  std::vector<std::pair<uint32_t, MetricResultSeries>> raw;  // ordinal, series
  RETURN_IF_ERROR(table.Scan(
      q.tenant, q.matchers, q.start_ms - q.window_ms, q.end_ms,
      [&](uint32_t ordinal, SelectedSeries& sel) {
        MetricResultSeries r;
        EvalSteps(sel.series, fn, q, steps, [&](size_t k, double v) {
          r.points.emplace_back(q.start_ms + static_cast<int64_t>(k) * q.step_ms, v);
        });
        if (r.points.empty()) return;
        r.labels = std::move(sel.series.labels);
        if (fn != Fn::kRaw) {
          std::erase_if(r.labels, [](const Label& l) { return l.first == kMetricNameLabel; });
        }
        raw.emplace_back(ordinal, std::move(r));
      }));
  // Label order, ties (equal labels once __name__ is dropped) in index order.
  std::sort(raw.begin(), raw.end(), [](const auto& a, const auto& b) {
    return a.second.labels != b.second.labels ? a.second.labels < b.second.labels
                                              : a.first < b.first;
  });
  std::vector<MetricResultSeries> out;
  out.reserve(raw.size());
  for (auto& [ordinal, r] : raw) out.push_back(std::move(r));
  return out;
}

}  // namespace periscope
