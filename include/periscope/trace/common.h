#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace periscope::trace {

using Clock = std::chrono::system_clock;
using Timestamp = Clock::time_point;

inline uint64_t ToUnixNanos(Timestamp t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Opaque bytes, the OTLP `bytes_value` attribute type.
struct Bytes {
  std::vector<uint8_t> data;
  bool operator==(const Bytes&) const = default;
};

class AttributeValue;
using KeyValue = std::pair<std::string, AttributeValue>;
// Ordered key/value list: span/resource attributes and the OTLP `kvlist_value` type.
using Attributes = std::vector<KeyValue>;
using AttributeArray = std::vector<AttributeValue>;

// A value of any OTLP AnyValue type: empty, bool, int64, double, string, bytes, array, kvlist.
// A plain value type; not synchronised.
class AttributeValue {
 public:
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, Bytes,
                               AttributeArray, Attributes>;

  AttributeValue() = default;
  AttributeValue(bool v) : v_(v) {}  // NOLINT
  template <std::integral T>
  requires(!std::same_as<T, bool>) AttributeValue(T v) : v_(static_cast<int64_t>(v)) {}  // NOLINT
  template <std::floating_point T>
  AttributeValue(T v) : v_(static_cast<double>(v)) {}         // NOLINT
  AttributeValue(const char* v) : v_(std::string(v)) {}       // NOLINT
  AttributeValue(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  AttributeValue(std::string v) : v_(std::move(v)) {}         // NOLINT
  AttributeValue(Bytes v) : v_(std::move(v)) {}               // NOLINT
  AttributeValue(AttributeArray v) : v_(std::move(v)) {}      // NOLINT
  AttributeValue(Attributes v) : v_(std::move(v)) {}          // NOLINT

  const Storage& storage() const { return v_; }
  bool empty() const { return std::holds_alternative<std::monostate>(v_); }
  template <class T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  bool operator==(const AttributeValue& o) const { return v_ == o.v_; }

 private:
  Storage v_;
};

// Sets key to value in attrs, replacing an existing entry with the same key.
void SetAttribute(Attributes& attrs, std::string_view key, AttributeValue value);
// The value of key in attrs, or nullptr.
const AttributeValue* FindAttribute(std::span<const KeyValue> attrs, std::string_view key);

// The entity producing telemetry (service.name, host, ...). A plain value type.
struct Resource {
  Attributes attributes;

  // telemetry.sdk.* plus service.name=unknown_service.
  static Resource Default();
  // Default() overlaid with this resource's attributes (these win).
  Resource MergedOverDefault() const;
};

// What the SDK finds out about the host and process it runs in, as resource detectors of the
// OpenTelemetry SDKs do: host.name, host.arch, os.type, process.pid (an int),
// process.executable.name and process.executable.path. An attribute it cannot obtain is left
// out. Reads the system each time (a forked child gets its own pid).
Resource DetectResource();

// The library that produced telemetry (the name given to GetTracer/GetLogger/GetMeter).
struct InstrumentationScope {
  std::string name;
  std::string version;
};

// Outcome of one export call. kRetryable is only returned by transports; exporters retry
// internally and report kFailure once attempts are exhausted.
struct ExportResult {
  enum class Code { kOk, kFailure, kRetryable };
  Code code = Code::kOk;
  std::string message;
  std::optional<std::chrono::milliseconds> retry_after;

  bool ok() const { return code == Code::kOk; }
  static ExportResult Ok() { return {}; }
  static ExportResult Failure(std::string message) {
    return {Code::kFailure, std::move(message), {}};
  }
};

// Reads an environment variable; injectable so configuration can be tested.
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the process environment.
EnvGetter SystemEnv();

}  // namespace periscope::trace
