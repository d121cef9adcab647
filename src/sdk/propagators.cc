#include <atomic>
#include <mutex>
#include <span>

#include "periscope/trace/propagation.h"
#include "periscope/trace/span.h"
#include "sdk/env_config.h"
#include "sdk/env_reader.h"
#include "sdk/text_util.h"

namespace periscope::trace {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<SpanContext> ParseTraceparent(std::string_view header) {
  header = internal::TrimOws(header);
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55.
  constexpr size_t kV0Size = 55;
  if (header.size() < kV0Size) return std::nullopt;
  std::string_view version = header.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  if (version == "00" && header.size() != kV0Size) return std::nullopt;
  // Higher versions may add fields after a '-'.
  if (header.size() > kV0Size && header[kV0Size] != '-') return std::nullopt;
  std::optional<TraceId> trace_id = TraceId::FromHex(header.substr(3, 32));
  std::optional<SpanId> span_id = SpanId::FromHex(header.substr(36, 16));
  std::string_view flags_hex = header.substr(53, 2);
  if (!trace_id || !span_id || !IsLowerHex(flags_hex)) return std::nullopt;
  if (!trace_id->IsValid() || !span_id->IsValid()) return std::nullopt;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  SpanContext ctx;
  ctx.trace_id = *trace_id;
  ctx.span_id = *span_id;
  ctx.flags.value = static_cast<uint8_t>(nibble(flags_hex[0]) << 4 | nibble(flags_hex[1]));
  ctx.is_remote = true;
  return ctx;
}

std::string FormatTraceparent(const SpanContext& context) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "00-00000000000000000000000000000000-0000000000000000-00";
  auto put = [&](size_t at, std::span<const uint8_t> bytes) {
    for (uint8_t b : bytes) {
      out[at++] = kHex[b >> 4];
      out[at++] = kHex[b & 15];
    }
  };
  put(3, context.trace_id.bytes());
  put(36, context.span_id.bytes());
  put(53, std::span<const uint8_t>(&context.flags.value, 1));
  return out;
}

void TraceContextPropagator::Inject(const Context& context, TextMapCarrier& carrier) const {
  SpanContext sc = context.span_context();
  if (!sc.IsValid()) return;
  carrier.Set("traceparent", FormatTraceparent(sc));
  if (!sc.trace_state.empty()) carrier.Set("tracestate", sc.trace_state.ToHeader());
}

Context TraceContextPropagator::Extract(const TextMapCarrier& carrier, const Context& base) const {
  std::optional<std::string> header = carrier.Get("traceparent");
  if (!header) return base;
  std::optional<SpanContext> sc = ParseTraceparent(*header);
  if (!sc) return base;
  if (std::optional<std::string> ts = carrier.Get("tracestate")) {
    if (std::optional<TraceState> state = TraceState::Parse(*ts)) sc->trace_state = *state;
  }
  return base.WithRemoteSpanContext(*sc);
}

void BaggagePropagator::Inject(const Context& context, TextMapCarrier& carrier) const {
  if (context.baggage().empty()) return;
  std::string header = context.baggage().ToHeader();
  if (!header.empty()) carrier.Set("baggage", header);
}

Context BaggagePropagator::Extract(const TextMapCarrier& carrier, const Context& base) const {
  std::optional<std::string> header = carrier.Get("baggage");
  if (!header) return base;
  Baggage baggage = Baggage::Parse(*header);
  if (baggage.empty()) return base;
  return base.WithBaggage(std::move(baggage));
}

void CompositePropagator::Inject(const Context& context, TextMapCarrier& carrier) const {
  for (const auto& p : parts_) p->Inject(context, carrier);
}

Context CompositePropagator::Extract(const TextMapCarrier& carrier, const Context& base) const {
  Context ctx = base;
  for (const auto& p : parts_) ctx = p->Extract(carrier, ctx);
  return ctx;
}

std::vector<std::string> CompositePropagator::Fields() const {
  std::vector<std::string> out;
  for (const auto& p : parts_) {
    for (std::string& f : p->Fields()) out.push_back(std::move(f));
  }
  return out;
}

namespace {
std::mutex global_mu;
std::atomic<bool> global_is_default{true};
std::shared_ptr<const TextMapPropagator>& GlobalPropagatorSlot() {
  static auto* slot = new std::shared_ptr<const TextMapPropagator>(
      std::make_shared<CompositePropagator>(std::vector<std::shared_ptr<const TextMapPropagator>>{
          std::make_shared<TraceContextPropagator>(), std::make_shared<BaggagePropagator>()}));
  return *slot;
}
}  // namespace

std::shared_ptr<const TextMapPropagator> GetGlobalPropagator() {
  std::lock_guard<std::mutex> lock(global_mu);
  return GlobalPropagatorSlot();
}

void SetGlobalPropagator(std::shared_ptr<const TextMapPropagator> propagator) {
  if (!propagator) return;
  std::lock_guard<std::mutex> lock(global_mu);
  GlobalPropagatorSlot() = std::move(propagator);
  global_is_default.store(false, std::memory_order_release);
}

namespace internal {

bool GlobalPropagatorIsDefault() { return global_is_default.load(std::memory_order_acquire); }

std::vector<std::string> DefaultPropagatorNames() { return {"tracecontext", "baggage"}; }

std::optional<std::vector<std::string>> PropagatorNamesFromEnv(const EnvReader& env) {
  return env.NameList("OTEL_PROPAGATORS", {"tracecontext", "baggage", "none"});
}

std::shared_ptr<const TextMapPropagator> PropagatorFromNames(std::span<const std::string> names) {
  std::vector<std::shared_ptr<const TextMapPropagator>> parts;
  for (const std::string& name : names) {
    if (name == "tracecontext") parts.push_back(std::make_shared<TraceContextPropagator>());
    if (name == "baggage") parts.push_back(std::make_shared<BaggagePropagator>());
  }
  return std::make_shared<CompositePropagator>(std::move(parts));
}

}  // namespace internal

std::shared_ptr<const TextMapPropagator> PropagatorFromEnv(const EnvGetter& env) {
  return internal::PropagatorFromNames(
      internal::PropagatorNamesFromEnv(internal::EnvReader(env, nullptr))
          .value_or(internal::DefaultPropagatorNames()));
}

}  // namespace periscope::trace
