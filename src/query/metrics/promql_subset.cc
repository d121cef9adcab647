#include "query/metrics/promql_subset.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "base/time.h"

namespace periscope {

namespace {

constexpr std::string_view kSubset =
    "Periscope answers selectors, rate() and increase() of a range selector, "
    "sum/avg/min/max/count [by (...)] of those, histogram_quantile(q, sum by (le, ...) "
    "(rate(x_bucket[w]))) and arithmetic of numbers";

constexpr std::array<std::string_view, 5> kAggregations = {"sum", "avg", "min", "max", "count"};

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Recursive-descent parser of the subset over one query text. Not thread-safe.
class PromParser {
 public:
  explicit PromParser(std::string_view text) : s_(text) {}

  Result<PromQuery> ParseQuery() {
    PromQuery out;
    if (auto scalar = PromParser(s_).ParseWholeScalar()) {
      out.kind = PromQuery::Kind::kScalar;
      out.scalar = *scalar;
      return out;
    }
    SkipSpace();
    const size_t open_parens = EatAll('(');
    if (PeekIdent() == "histogram_quantile") {
      Ident();
      RETURN_IF_ERROR(Expect('('));
      auto q = ParseNumber();
      if (!q) return Status::InvalidArgument("histogram_quantile needs a number first");
      out.quantile = *q;
      RETURN_IF_ERROR(Expect(','));
      RETURN_IF_ERROR(ParseVector(out.query));
      RETURN_IF_ERROR(Expect(')'));
      RETURN_IF_ERROR(CheckQuantileArgument(out.query));
      out.kind = PromQuery::Kind::kHistogramQuantile;
    } else {
      RETURN_IF_ERROR(ParseVector(out.query));
    }
    for (size_t k = 0; k < open_parens; ++k) RETURN_IF_ERROR(Expect(')'));
    SkipSpace();
    if (i_ != s_.size()) {
      return Status::InvalidArgument(
          "unexpected '{}' at offset {}: operators between series are not "
          "supported yet ({})",
          s_.substr(i_), i_, kSubset);
    }
    return out;
  }

 private:
  std::optional<double> ParseWholeScalar() {
    auto v = Sum();
    SkipSpace();
    if (!v || i_ != s_.size()) return std::nullopt;
    return v;
  }

  // Scalar arithmetic: + and - over * / % over unary signs over ^ (right-associative) over
  // parentheses and numbers.
  std::optional<double> Sum() {
    auto v = Product();
    while (v) {
      if (Eat('+')) {
        auto r = Product();
        v = r ? std::optional(*v + *r) : std::nullopt;
      } else if (Eat('-')) {
        auto r = Product();
        v = r ? std::optional(*v - *r) : std::nullopt;
      } else {
        break;
      }
    }
    return v;
  }
  std::optional<double> Product() {
    auto v = Unary();
    while (v) {
      if (Eat('*')) {
        auto r = Unary();
        v = r ? std::optional(*v * *r) : std::nullopt;
      } else if (Eat('/')) {
        auto r = Unary();
        v = r ? std::optional(*v / *r) : std::nullopt;
      } else if (Eat('%')) {
        auto r = Unary();
        v = r ? std::optional(std::fmod(*v, *r)) : std::nullopt;
      } else {
        break;
      }
    }
    return v;
  }
  std::optional<double> Unary() {
    if (Eat('-')) {
      if (++depth_ > kMaxDepth) return std::nullopt;
      auto v = Unary();
      --depth_;
      return v ? std::optional(-*v) : std::nullopt;
    }
    if (Eat('+')) {
      if (++depth_ > kMaxDepth) return std::nullopt;
      auto v = Unary();
      --depth_;
      return v;
    }
    return Power();
  }
  std::optional<double> Power() {
    auto base = Primary();
    if (base && Eat('^')) {
      auto exponent = Unary();
      return exponent ? std::optional(std::pow(*base, *exponent)) : std::nullopt;
    }
    return base;
  }
  std::optional<double> Primary() {
    if (Eat('(')) {
      if (++depth_ > kMaxDepth) return std::nullopt;
      auto v = Sum();
      --depth_;
      if (!v || !Eat(')')) return std::nullopt;
      return v;
    }
    return ParseNumber();
  }
  std::optional<double> ParseNumber() {
    SkipSpace();
    const std::string word = PeekIdent();
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "inf" || lower == "nan") {
      i_ += word.size();
      return lower == "inf" ? HUGE_VAL : std::nan("");
    }
    double v = 0;
    auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
    if (ec != std::errc() || p == s_.data() + i_) return std::nullopt;
    i_ = static_cast<size_t>(p - s_.data());
    if (i_ < s_.size() && IsIdentChar(s_[i_])) return std::nullopt;  // `5m`, `1e3x`
    return v;
  }

  // agg [grouping] ( vector ) [grouping] | rate|increase ( selector[w] ) | selector | ( vector )
  Status ParseVector(MetricRangeQuery& q) {
    SkipSpace();
    if (Eat('(')) {
      if (++depth_ > kMaxDepth) return Status::InvalidArgument("parentheses nested too deeply");
      RETURN_IF_ERROR(ParseVector(q));
      --depth_;
      return Expect(')');
    }
    const std::string name = PeekIdent();
    const size_t after_name = i_ + name.size();
    const bool is_call = NextNonSpace(after_name) == '(' || StartsGrouping(after_name);
    if (is_call &&
        std::find(kAggregations.begin(), kAggregations.end(), name) != kAggregations.end()) {
      if (!q.agg.empty()) {
        return Status::InvalidArgument("nested aggregations are not supported yet ({})", kSubset);
      }
      i_ = after_name;
      q.agg = name;
      RETURN_IF_ERROR(ParseGrouping(q));
      RETURN_IF_ERROR(Expect('('));
      RETURN_IF_ERROR(ParseVector(q));
      RETURN_IF_ERROR(Expect(')'));
      return ParseGrouping(q);
    }
    if (is_call && (name == "rate" || name == "increase")) {
      if (!q.fn.empty())
        return Status::InvalidArgument("{}() of {}() is not supported", name, q.fn);
      i_ = after_name;
      RETURN_IF_ERROR(Expect('('));
      RETURN_IF_ERROR(ParseSelector(q, /*range=*/true, name));
      q.fn = name;
      return Expect(')');
    }
    if (is_call && !name.empty()) {
      return Status::InvalidArgument("function or aggregation '{}' is not supported yet ({})", name,
                                     kSubset);
    }
    return ParseSelector(q, /*range=*/false, "");
  }

  // `name`, `name{...}` or `{...}`, then `[duration]` exactly when `range`.
  Status ParseSelector(MetricRangeQuery& q, bool range, std::string_view fn) {
    SkipSpace();
    const size_t begin = i_;
    i_ += PeekIdent().size();
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '{') {
      char quote = 0;
      for (++i_; i_ < s_.size(); ++i_) {
        const char c = s_[i_];
        if (quote != 0) {
          if (c == '\\') {
            ++i_;
          } else if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'' || c == '`') {
          quote = c;
        } else if (c == '}') {
          break;
        }
      }
      if (i_ >= s_.size()) return Status::InvalidArgument("unclosed {{ in selector");
      ++i_;
    }
    const std::string_view text = s_.substr(begin, i_ - begin);
    if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) {
      return Status::InvalidArgument("expected a selector at offset {} ({})", begin, kSubset);
    }
    ASSIGN_OR_RETURN(q.matchers, ParseSeriesSelector(text));
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '[') {
      if (!range) {
        return Status::InvalidArgument(
            "a range selector like x[5m] needs rate() or increase() around it ({})", kSubset);
      }
      const size_t close = s_.find(']', i_);
      if (close == std::string_view::npos) return Status::InvalidArgument("unclosed [ in range");
      const std::string_view d = s_.substr(i_ + 1, close - i_ - 1);
      auto ns = ParseDurationNanos(d);
      if (!ns || *ns < 1000000) return Status::InvalidArgument("bad range duration '{}'", d);
      q.window_ms = *ns / 1000000;
      i_ = close + 1;
    } else if (range) {
      return Status::InvalidArgument("{}() needs a range selector like x[5m]", fn);
    }
    if (PeekIdent() == "offset" || NextNonSpace(i_) == '@') {
      return Status::InvalidArgument("offset and @ modifiers are not supported yet");
    }
    return Status::Ok();
  }

  // Optional `by (l, ...)`; `without` is not supported.
  Status ParseGrouping(MetricRangeQuery& q) {
    SkipSpace();
    const std::string word = PeekIdent();
    if (word == "without") return Status::InvalidArgument("'without' is not supported yet");
    if (word != "by") return Status::Ok();
    if (!q.by.empty()) return Status::InvalidArgument("two 'by' clauses");
    i_ += word.size();
    RETURN_IF_ERROR(Expect('('));
    while (!Eat(')')) {
      if (!q.by.empty() && !Eat(',')) return Status::InvalidArgument("expected , in by (...)");
      if (Eat(')')) break;  // trailing comma
      SkipSpace();
      const std::string label = PeekIdent();
      if (label.empty()) return Status::InvalidArgument("expected a label name in by (...)");
      i_ += label.size();
      q.by.push_back(label);
    }
    return Status::Ok();
  }

  static Status CheckQuantileArgument(MetricRangeQuery& q) {
    auto le = std::find(q.by.begin(), q.by.end(), "le");
    if (q.agg != "sum" || q.fn != "rate" || le == q.by.end()) {
      return Status::InvalidArgument(
          "histogram_quantile is supported over sum by (le, ...) (rate(x_bucket[w]))");
    }
    q.by.erase(le);
    return Status::Ok();
  }

  bool StartsGrouping(size_t at) const {
    while (at < s_.size() && std::isspace(static_cast<unsigned char>(s_[at]))) ++at;
    for (std::string_view w : {"by", "without"}) {
      if (s_.substr(at).starts_with(w) &&
          (at + w.size() == s_.size() || !IsIdentChar(s_[at + w.size()]))) {
        return true;
      }
    }
    return false;
  }
  char NextNonSpace(size_t at) const {
    while (at < s_.size() && std::isspace(static_cast<unsigned char>(s_[at]))) ++at;
    return at < s_.size() ? s_[at] : '\0';
  }
  std::string PeekIdent() {
    SkipSpace();
    size_t e = i_;
    while (e < s_.size() && IsIdentChar(s_[e])) ++e;
    return std::string(s_.substr(i_, e - i_));
  }
  std::string Ident() {
    std::string id = PeekIdent();
    i_ += id.size();
    return id;
  }
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
  size_t EatAll(char c) {
    size_t n = 0;
    while (Eat(c)) ++n;
    return n;
  }
  Status Expect(char c) {
    if (Eat(c)) return Status::Ok();
    return Status::InvalidArgument("expected '{}' at offset {}", c, i_);
  }

  static constexpr int kMaxDepth = 256;

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;  // nesting of parentheses and unary signs, bounded to keep the stack small
};

}  // namespace

Result<PromQuery> ParsePromQuery(std::string_view text) { return PromParser(text).ParseQuery(); }

}  // namespace periscope
