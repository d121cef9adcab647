#pragma once

#include <cstdint>
#include <string>

namespace periscope {

// Counts rejected spans and keeps the first few reasons for the partial-success message.
// Not thread-safe.
class SpanRejections {
 public:
  static constexpr int kMaxReasons = 3;

  void Add(const std::string& reason) {
    ++count_;
    if (count_ <= kMaxReasons) {
      if (!message_.empty()) message_ += "; ";
      message_ += reason;
    }
  }
  int64_t count() const { return count_; }
  // The kept reasons, with "(and N more)" when some were left out; "" when nothing was rejected.
  std::string message() const {
    if (count_ <= kMaxReasons) return message_;
    return message_ + "; (and " + std::to_string(count_ - kMaxReasons) + " more)";
  }

 private:
  int64_t count_ = 0;
  std::string message_;
};

}  // namespace periscope
