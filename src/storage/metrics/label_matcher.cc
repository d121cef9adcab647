#include "storage/metrics/label_matcher.h"

namespace periscope {

Result<LabelMatcher> LabelMatcher::Make(std::string name, MatchOp op, std::string value) {
  if (name.empty()) return Status::InvalidArgument("label matcher has an empty name");
  LabelMatcher m;
  if (op == MatchOp::kRegex || op == MatchOp::kNotRegex) {
    try {
      m.regex_ =
          std::make_shared<const std::regex>(value, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("bad regex \"{}\" for label {}: {}", value, name, e.what());
    }
  }
  m.name_ = std::move(name);
  m.op_ = op;
  m.value_ = std::move(value);
  return m;
}

bool LabelMatcher::Matches(std::string_view value) const {
  switch (op_) {
    case MatchOp::kEqual:
      return value == value_;
    case MatchOp::kNotEqual:
      return value != value_;
    case MatchOp::kRegex:
      return std::regex_match(value.begin(), value.end(), *regex_);
    case MatchOp::kNotRegex:
      return !std::regex_match(value.begin(), value.end(), *regex_);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "=~", "!~"};
  return name_ + kOps[static_cast<int>(op_)] + "\"" + value_ + "\"";
}

}  // namespace periscope
