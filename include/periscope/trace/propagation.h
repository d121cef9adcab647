#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/context.h"
#include "periscope/trace/span_context.h"

namespace periscope::trace {

// Where propagated fields are read from and written to: HTTP headers, RPC metadata, a message's
// properties. Keys are the lowercase field names ("traceparent", "tracestate", "baggage").
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  virtual std::optional<std::string> Get(std::string_view key) const = 0;
  virtual void Set(std::string_view key, std::string_view value) = 0;
};

// A carrier from two callbacks; either may be empty when only injecting or only extracting.
class CallbackCarrier final : public TextMapCarrier {
 public:
  using Getter = std::function<std::optional<std::string>(std::string_view key)>;
  using Setter = std::function<void(std::string_view key, std::string_view value)>;
  CallbackCarrier(Getter getter, Setter setter)
      : getter_(std::move(getter)), setter_(std::move(setter)) {}
  std::optional<std::string> Get(std::string_view key) const override {
    return getter_ ? getter_(key) : std::nullopt;
  }
  void Set(std::string_view key, std::string_view value) override {
    if (setter_) setter_(key, value);
  }

 private:
  Getter getter_;
  Setter setter_;
};

// A carrier over a string map (std::map / std::unordered_map of std::string), or a vector of
// string pairs (e.g. RPC metadata). Lookup is case-insensitive; Set replaces existing keys.
template <class Container>
class MapCarrier final : public TextMapCarrier {
 public:
  explicit MapCarrier(Container& c) : c_(c) {}
  std::optional<std::string> Get(std::string_view key) const override {
    for (const auto& [k, v] : c_) {
      if (EqualsIgnoreCase(k, key)) return std::string(v);
    }
    return std::nullopt;
  }
  void Set(std::string_view key, std::string_view value) override {
    if constexpr (std::is_const_v<Container>) {
      return;
    } else {
      SetImpl(key, value);
    }
  }

 private:
  void SetImpl(std::string_view key, std::string_view value) {
    for (auto& [k, v] : c_) {
      if (EqualsIgnoreCase(k, key)) {
        v = std::string(value);
        return;
      }
    }
    if constexpr (requires { c_.emplace_back(std::string(key), std::string(value)); }) {
      c_.emplace_back(std::string(key), std::string(value));
    } else {
      c_.emplace(std::string(key), std::string(value));
    }
  }
  static bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
      auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
      return lower(x) == lower(y);
    });
  }
  Container& c_;
};
template <class C>
MapCarrier(C&) -> MapCarrier<C>;

// Parses a W3C traceparent header ("00-<32 hex>-<16 hex>-<2 hex>"; future versions may append
// "-..." fields). Leading/trailing spaces and tabs are ignored. Returns nullopt for version ff,
// uppercase or non-hex digits, wrong lengths, all-zero ids, or a version 00 header with extra
// fields. The result has is_remote set.
std::optional<SpanContext> ParseTraceparent(std::string_view header);
// "00-<trace id>-<span id>-<flags>".
std::string FormatTraceparent(const SpanContext& context);

// Injects and extracts a Context's fields to and from a carrier. Implementations are stateless
// and thread-safe.
class TextMapPropagator {
 public:
  virtual ~TextMapPropagator() = default;
  virtual void Inject(const Context& context, TextMapCarrier& carrier) const = 0;
  // Returns base with the fields found in the carrier; base unchanged if they are absent or
  // invalid.
  virtual Context Extract(const TextMapCarrier& carrier, const Context& base) const = 0;
  virtual std::vector<std::string> Fields() const = 0;
};

// W3C Trace Context: `traceparent` and `tracestate`.
class TraceContextPropagator final : public TextMapPropagator {
 public:
  void Inject(const Context& context, TextMapCarrier& carrier) const override;
  Context Extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> Fields() const override { return {"traceparent", "tracestate"}; }
};

// W3C Baggage: `baggage`.
class BaggagePropagator final : public TextMapPropagator {
 public:
  void Inject(const Context& context, TextMapCarrier& carrier) const override;
  Context Extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> Fields() const override { return {"baggage"}; }
};

// Runs several propagators in order.
class CompositePropagator final : public TextMapPropagator {
 public:
  explicit CompositePropagator(std::vector<std::shared_ptr<const TextMapPropagator>> parts)
      : parts_(std::move(parts)) {}
  void Inject(const Context& context, TextMapCarrier& carrier) const override;
  Context Extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> Fields() const override;

 private:
  std::vector<std::shared_ptr<const TextMapPropagator>> parts_;
};

// The process-wide propagator (default: trace context + baggage). Thread-safe.
std::shared_ptr<const TextMapPropagator> GetGlobalPropagator();
void SetGlobalPropagator(std::shared_ptr<const TextMapPropagator> propagator);

// The propagators OTEL_PROPAGATORS names (comma-separated: tracecontext, baggage, none), in its
// order; unknown names (b3, jaeger, ...) are skipped. Unset, or with no known name: tracecontext
// and baggage. "none" alone: a propagator that injects and extracts nothing.
std::shared_ptr<const TextMapPropagator> PropagatorFromEnv(const EnvGetter& env = SystemEnv());

namespace internal {
// True while the global propagator is the default one (W3C trace context + baggage), so callers
// may write and read those fields directly. Lock-free.
bool GlobalPropagatorIsDefault();
}  // namespace internal

// Shorthands over the global propagator and the current context.
inline void InjectCurrent(TextMapCarrier& carrier) {
  GetGlobalPropagator()->Inject(Context::Current(), carrier);
}
inline Context ExtractToContext(const TextMapCarrier& carrier, const Context& base = Context()) {
  return GetGlobalPropagator()->Extract(carrier, base);
}

}  // namespace periscope::trace
