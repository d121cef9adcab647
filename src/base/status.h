#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace periscope {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kCorruption,
  kIOError,
  kResourceExhausted,
  kUnsupported,
  kUnavailable,
  kInternal,
};

// Outcome of an operation that can fail: a code and a human-readable message. Value type.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  template <typename... Args>
  static Status InvalidArgument(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status NotFound(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kNotFound, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status Corruption(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kCorruption, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status IOError(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kIOError, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status ResourceExhausted(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kResourceExhausted, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status Unsupported(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kUnsupported, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status Unavailable(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kUnavailable, fmt::format(f, std::forward<Args>(args)...)};
  }
  template <typename... Args>
  static Status Internal(fmt::format_string<Args...> f, Args&&... args) {
    return {StatusCode::kInternal, fmt::format(f, std::forward<Args>(args)...)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status. Value type.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace periscope

#define PERISCOPE_CONCAT_INNER(a, b) a##b
#define PERISCOPE_CONCAT(a, b) PERISCOPE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define RETURN_IF_ERROR(expr)         \
  do {                                \
    ::periscope::Status _st = (expr); \
    if (!_st.ok()) return _st;        \
  } while (0)

// Declares `lhs` from a Result<T> expression, or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(PERISCOPE_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
