#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace periscope {

enum class MatchOp { kEqual, kNotEqual, kRegex, kNotRegex };

// One Prometheus label matcher (`name="v"`, `!=`, `=~`, `!~`); regexes are fully anchored.
// An absent label matches as the empty string. Immutable and thread-safe after Make.
class LabelMatcher {
 public:
  // InvalidArgument for an empty name or a regex that does not compile.
  static Result<LabelMatcher> Make(std::string name, MatchOp op, std::string value);

  bool Matches(std::string_view value) const;
  const std::string& name() const { return name_; }
  MatchOp op() const { return op_; }
  const std::string& value() const { return value_; }
  std::string ToString() const;

 private:
  std::string name_;
  MatchOp op_ = MatchOp::kEqual;
  std::string value_;
  std::shared_ptr<const std::regex> regex_;
};

}  // namespace periscope
