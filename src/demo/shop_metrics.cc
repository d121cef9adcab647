#include "demo/shop_metrics.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "demo/trace_facts.h"
#include "loadgen/split_mix.h"

namespace periscope::demo {
namespace {

namespace metrics_pb = ::opentelemetry::proto::metrics::v1;
namespace trace_pb = ::opentelemetry::proto::trace::v1;
using ::opentelemetry::proto::common::v1::KeyValue;
using Span = trace_pb::Span;

constexpr int64_t kSec = 1'000'000'000;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr int kPoolSize = 20;

std::string StrAttr(const Span& span, std::string_view key) {
  for (const KeyValue& kv : span.attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return {};
}

int64_t IntAttr(const Span& span, std::string_view key) {
  for (const KeyValue& kv : span.attributes()) {
    if (kv.key() == key) return kv.value().int_value();
  }
  return 0;
}

template <typename Point>
void AddStr(Point* p, std::string_view key, std::string value) {
  KeyValue* kv = p->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::move(value));
}

template <typename Point>
void AddInt(Point* p, std::string_view key, int64_t value) {
  KeyValue* kv = p->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_int_value(value);
}

double BaseMemoryBytes(const ServiceInstance& inst) {
  if (inst.sdk_language == "java") return 480 * kMiB;
  if (inst.sdk_language == "dotnet") return 210 * kMiB;
  if (inst.sdk_language == "go") return 48 * kMiB;
  return 120 * kMiB;
}

bool UsesPostgres(ShopService s) {
  return s == ShopService::kCheckout || s == ShopService::kPayment || s == ShopService::kInventory;
}

metrics_pb::Metric* NewMetric(metrics_pb::ScopeMetrics* scope, std::string name, std::string unit,
                              std::string description) {
  metrics_pb::Metric* m = scope->add_metrics();
  m->set_name(std::move(name));
  m->set_unit(std::move(unit));
  m->set_description(std::move(description));
  return m;
}

}  // namespace

const std::vector<double>& ShopMetricsGenerator::DurationBounds() {
  static const std::vector<double> kBounds = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                              0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  return kBounds;
}

ShopMetricsGenerator::ShopMetricsGenerator(const ShopTopology& topology, uint64_t seed,
                                           int64_t start_ns)
    : topology_(topology), seed_(seed), start_ns_(start_ns), state_(topology.instances().size()) {
  for (size_t i = 0; i < state_.size(); ++i) {
    state_[i].memory_bytes = BaseMemoryBytes(topology.instances()[i]) * 1.1;
    state_[i].last_collect_ns = start_ns;
  }
}

void ShopMetricsGenerator::Observe(size_t instance, const ExportTraceServiceRequest& traces) {
  InstanceState& st = state_.at(instance);
  const ServiceInstance& inst = topology_.instances()[instance];
  const std::vector<double>& bounds = DurationBounds();
  for (const auto& rs : traces.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const Span& span : ss.spans()) {
        ++st.interval_spans;
        const double seconds =
            static_cast<double>(span.end_time_unix_nano() - span.start_time_unix_nano()) / 1e9;
        if (span.kind() == Span::SPAN_KIND_CLIENT && StrAttr(span, "db.system") == "postgresql") {
          st.interval_db_seconds += seconds;
        }
        if (span.kind() != Span::SPAN_KIND_SERVER) continue;
        std::vector<std::string> key;
        const std::string route = StrAttr(span, "http.route");
        const int64_t grpc_code = IntAttr(span, "rpc.grpc.status_code");
        if (!route.empty()) {
          key = {StrAttr(span, "http.request.method"), route,
                 std::to_string(IntAttr(span, "http.response.status_code")), ""};
        } else {
          key = {"POST", "/" + span.name(), "200", std::to_string(grpc_code)};
        }
        Histogram& h = st.durations[key];
        if (h.counts.empty()) {
          h.counts.assign(bounds.size() + 1, 0);
          h.exemplars.resize(bounds.size() + 1);
          h.min = h.max = seconds;
        }
        const size_t b = static_cast<size_t>(
            std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
        ++h.counts[b];
        ++h.count;
        h.sum += seconds;
        h.min = std::min(h.min, seconds);
        h.max = std::max(h.max, seconds);
        h.exemplars[b] = {true, seconds, static_cast<int64_t>(span.end_time_unix_nano()),
                          span.trace_id(), span.span_id()};
        if (inst.service == ShopService::kCheckout && span.name().ends_with("/PlaceOrder") &&
            grpc_code == 0) {
          ++st.orders[FactsOfTrace(seed_, span.trace_id()).payment_method];
        }
      }
    }
  }
}

ExportMetricsServiceRequest ShopMetricsGenerator::Collect(size_t instance, int64_t now_ns) {
  InstanceState& st = state_.at(instance);
  const ServiceInstance& inst = topology_.instances()[instance];
  const double interval_s =
      std::max(1.0, static_cast<double>(now_ns - st.last_collect_ns) / static_cast<double>(kSec));
  loadgen::SplitMix rng(seed_ ^ (uint64_t{instance} << 48) ^
                        static_cast<uint64_t>(now_ns / (10 * kSec)));
  const auto noise = [&rng] { return static_cast<double>(rng.Next() >> 11) * 0x1.0p-53 - 0.5; };
  const uint64_t now = static_cast<uint64_t>(now_ns);
  const uint64_t start = static_cast<uint64_t>(start_ns_);

  ExportMetricsServiceRequest out;
  auto* rm = out.add_resource_metrics();
  FillResource(inst, rm->mutable_resource());
  rm->set_schema_url("https://opentelemetry.io/schemas/1.26.0");
  auto* scope = rm->add_scope_metrics();
  scope->mutable_scope()->set_name("shop/" + std::string(ShopServiceName(inst.service)));
  scope->mutable_scope()->set_version(inst.version);

  // CPU follows the spans handled plus a daily rhythm; memory grows with work until a GC.
  const double spans_per_s = static_cast<double>(st.interval_spans) / interval_s;
  const double day = 2 * std::numbers::pi * static_cast<double>(now_ns % (86400 * kSec)) /
                     static_cast<double>(86400 * kSec);
  const double cpu = std::clamp(
      0.03 + 0.004 * spans_per_s + 0.02 * std::sin(day) + 0.02 * noise() + (inst.canary ? 0.05 : 0),
      0.005, 0.98);
  auto* g = NewMetric(scope, "process.cpu.utilization", "1",
                      "Difference in process.cpu.time since the last measurement, divided by the "
                      "elapsed time and number of CPUs available to the process.")
                ->mutable_gauge()
                ->add_data_points();
  g->set_time_unix_nano(now);
  g->set_as_double(cpu);

  const double base = BaseMemoryBytes(inst);
  st.memory_bytes += static_cast<double>(st.interval_spans) * 6 * 1024 + (noise() + 0.5) * kMiB;
  if (st.memory_bytes > base * 1.6) st.memory_bytes = base * (1.05 + 0.05 * (noise() + 0.5));
  g = NewMetric(scope, "process.memory.usage", "By", "The amount of physical memory in use.")
          ->mutable_gauge()
          ->add_data_points();
  g->set_time_unix_nano(now);
  g->set_as_int(static_cast<int64_t>(st.memory_bytes));

  metrics_pb::Histogram* hist = nullptr;
  if (!st.durations.empty()) {
    hist =
        NewMetric(scope, "http.server.request.duration", "s", "Duration of HTTP server requests.")
            ->mutable_histogram();
    hist->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  }
  for (auto& [key, h] : st.durations) {
    auto* p = hist->add_data_points();
    p->set_start_time_unix_nano(start);
    p->set_time_unix_nano(now);
    AddStr(p, "http.request.method", key[0]);
    AddStr(p, "http.route", key[1]);
    AddInt(p, "http.response.status_code", std::stoll(key[2]));
    if (!key[3].empty()) AddInt(p, "rpc.grpc.status_code", std::stoll(key[3]));
    p->set_count(h.count);
    p->set_sum(h.sum);
    p->set_min(h.min);
    p->set_max(h.max);
    for (double b : DurationBounds()) p->add_explicit_bounds(b);
    for (size_t i = 0; i < h.counts.size(); ++i) {
      p->add_bucket_counts(h.counts[i]);
      Exemplar& e = h.exemplars[i];
      if (!e.set) continue;
      auto* x = p->add_exemplars();
      x->set_time_unix_nano(static_cast<uint64_t>(e.time_ns));
      x->set_as_double(e.seconds);
      x->set_trace_id(e.trace_id);
      x->set_span_id(e.span_id);
      e.set = false;
    }
  }

  if (inst.service == ShopService::kCheckout) {
    auto* sum = NewMetric(scope, "shop.orders.placed", "{order}", "Orders placed successfully.")
                    ->mutable_sum();
    sum->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    sum->set_is_monotonic(true);
    for (const char* method : {"card", "paypal", "apple_pay"}) {
      auto* p = sum->add_data_points();
      p->set_start_time_unix_nano(start);
      p->set_time_unix_nano(now);
      p->set_as_int(static_cast<int64_t>(st.orders[method]));
      AddStr(p, "payment.method", method);
    }
  }

  if (UsesPostgres(inst.service)) {
    // Little's law: the mean number of queries in flight is the busy time per second.
    const double busy = st.interval_db_seconds / interval_s;
    const int used =
        std::clamp(static_cast<int>(std::ceil(busy + 1 + 1.5 * (noise() + 0.5))), 1, kPoolSize);
    auto* gauge = NewMetric(scope, "db.client.connections.usage", "{connection}",
                            "The number of connections that are currently in state described by "
                            "the state attribute.")
                      ->mutable_gauge();
    for (int used_state = 0; used_state < 2; ++used_state) {
      auto* p = gauge->add_data_points();
      p->set_time_unix_nano(now);
      p->set_as_int(used_state ? used : kPoolSize - used);
      AddStr(p, "pool.name", "postgres://postgres:5432/shop");
      AddStr(p, "state", used_state ? "used" : "idle");
    }
  }
  st.interval_spans = 0;
  st.interval_db_seconds = 0;
  st.last_collect_ns = now_ns;
  return out;
}

}  // namespace periscope::demo
