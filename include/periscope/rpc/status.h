#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace periscope::rpc {

// Outcome codes of a call; the numbering follows gRPC so that dashboards read the same.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "DEADLINE_EXCEEDED" etc.; "UNKNOWN" for values outside the enum.
std::string_view StatusCodeName(StatusCode code);
// The code for a number received from a peer; kUnknown when out of range.
StatusCode StatusCodeFromInt(int64_t value);

// Outcome of an RPC operation: a code and a message. A value type. The RPC library is a client
// library and depends on no server header, so it has its own Status rather than src/base's.
// An OK status (and any status without a message) holds no string: creating, moving and
// destroying one on the success path costs a few instructions, and serialisation and call
// plumbing pass many of them per call.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code),
        message_(message.empty() ? nullptr : std::make_unique<std::string>(std::move(message))) {}
  Status(const Status& other)
      : code_(other.code_),
        message_(other.message_ ? std::make_unique<std::string>(*other.message_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) *this = Status(other);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Empty when none was given.
  const std::string& message() const { return message_ ? *message_ : EmptyMessage(); }
  // "DEADLINE_EXCEEDED: message".
  std::string ToString() const;
  bool operator==(const Status& other) const {
    return code_ == other.code_ && message() == other.message();
  }

 private:
  static const std::string& EmptyMessage();

  StatusCode code_ = StatusCode::kOk;
  std::unique_ptr<std::string> message_;
};

inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status DeadlineExceededError(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status UnimplementedError(std::string m) {
  return {StatusCode::kUnimplemented, std::move(m)};
}

// Either a value or a non-ok Status. A value type.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  // A default-constructed value, built in place (decoders fill it without moving it).
  explicit Result(std::in_place_t) : v_(std::in_place_index<0>) {}
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(v_).ok()) {
      std::get<1>(v_) = Status(StatusCode::kInternal, "Result constructed from an OK status");
    }
  }

  bool ok() const { return v_.index() == 0; }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace periscope::rpc

// Returns the rpc::Status from the enclosing function when `expr` is not ok.
#define PERISCOPE_RPC_RETURN_IF_ERROR(expr)    \
  do {                                         \
    ::periscope::rpc::Status _rpc_st = (expr); \
    if (!_rpc_st.ok()) return _rpc_st;         \
  } while (0)
