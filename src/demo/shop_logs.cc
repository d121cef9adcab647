#include "demo/shop_logs.h"

#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>

#include "demo/trace_facts.h"
#include "loadgen/split_mix.h"

namespace periscope::demo {
namespace {

namespace logs_pb = ::opentelemetry::proto::logs::v1;
namespace trace_pb = ::opentelemetry::proto::trace::v1;
using ::opentelemetry::proto::common::v1::AnyValue;
using ::opentelemetry::proto::common::v1::KeyValue;
using LogRecord = logs_pb::LogRecord;
using Span = trace_pb::Span;

constexpr int64_t kMs = 1'000'000;

enum class Level { kDebug, kInfo, kWarn, kError };

const AnyValue* Attr(const Span& span, std::string_view key) {
  for (const KeyValue& kv : span.attributes()) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

std::string StrAttr(const Span& span, std::string_view key) {
  const AnyValue* v = Attr(span, key);
  return v ? v->string_value() : std::string();
}

int64_t IntAttr(const Span& span, std::string_view key) {
  const AnyValue* v = Attr(span, key);
  return v ? v->int_value() : 0;
}

// The attributes of the span's "exception" event, if it has one.
const trace_pb::Span::Event* ExceptionEvent(const Span& span) {
  for (const auto& e : span.events()) {
    if (e.name() == "exception") return &e;
  }
  return nullptr;
}

std::string EventAttr(const trace_pb::Span::Event& e, std::string_view key) {
  for (const KeyValue& kv : e.attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return {};
}

int64_t DurationMs(const Span& span) {
  return static_cast<int64_t>(span.end_time_unix_nano() - span.start_time_unix_nano()) / kMs;
}

bool Failed(const Span& span) {
  return span.status().code() == trace_pb::Status::STATUS_CODE_ERROR;
}

std::string Money(int64_t cents) { return fmt::format("${}.{:02}", cents / 100, cents % 100); }

// Appends records to one scope of a logs request.
class RecordWriter {
 public:
  RecordWriter(logs_pb::ScopeLogs* scope, const Span* span) : scope_(scope), span_(span) {}

  LogRecord* Add(Level level, int64_t time_ns) {
    LogRecord* r = scope_->add_log_records();
    r->set_time_unix_nano(static_cast<uint64_t>(time_ns));
    r->set_observed_time_unix_nano(static_cast<uint64_t>(time_ns + 2 * kMs));
    static constexpr std::array<std::string_view, 4> kText = {"DEBUG", "INFO", "WARN", "ERROR"};
    static constexpr std::array<logs_pb::SeverityNumber, 4> kNumber = {
        logs_pb::SEVERITY_NUMBER_DEBUG, logs_pb::SEVERITY_NUMBER_INFO,
        logs_pb::SEVERITY_NUMBER_WARN, logs_pb::SEVERITY_NUMBER_ERROR};
    r->set_severity_text(std::string(kText[static_cast<size_t>(level)]));
    r->set_severity_number(kNumber[static_cast<size_t>(level)]);
    if (span_) {
      r->set_trace_id(span_->trace_id());
      r->set_span_id(span_->span_id());
      r->set_flags(1);
    }
    return r;
  }

  // A text body.
  LogRecord* Text(Level level, int64_t time_ns, std::string body) {
    LogRecord* r = Add(level, time_ns);
    r->mutable_body()->set_string_value(std::move(body));
    return r;
  }

  // A JSON-structured body: {"msg": msg, ...fields added with Field()}.
  LogRecord* Json(Level level, int64_t time_ns, std::string msg) {
    LogRecord* r = Add(level, time_ns);
    Field(r, "msg", std::move(msg));
    return r;
  }

  static void Field(LogRecord* r, std::string_view key, std::string value) {
    KeyValue* kv = r->mutable_body()->mutable_kvlist_value()->add_values();
    kv->set_key(std::string(key));
    kv->mutable_value()->set_string_value(std::move(value));
  }
  static void Field(LogRecord* r, std::string_view key, int64_t value) {
    KeyValue* kv = r->mutable_body()->mutable_kvlist_value()->add_values();
    kv->set_key(std::string(key));
    kv->mutable_value()->set_int_value(value);
  }

 private:
  logs_pb::ScopeLogs* scope_;
  const Span* span_;
};

void Str(LogRecord* r, std::string_view key, std::string value) {
  KeyValue* kv = r->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::move(value));
}

void Int(LogRecord* r, std::string_view key, int64_t value) {
  KeyValue* kv = r->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_int_value(value);
}

// Copies exception.type/message/stacktrace of the span's exception event, if any; returns the
// message ("" without an event).
std::string CopyException(const Span& span, LogRecord* r) {
  const auto* e = ExceptionEvent(span);
  if (!e) return {};
  for (std::string_view key : {"exception.type", "exception.message", "exception.stacktrace"}) {
    Str(r, key, EventAttr(*e, key));
  }
  return EventAttr(*e, "exception.message");
}

// Payment (pino) and checkout (zap) log JSON; the others log text.
bool JsonLogger(const ServiceInstance& inst) {
  return inst.service == ShopService::kPayment || inst.service == ShopService::kCheckout;
}

// Frontend: one access line per request, and a JSON line per completed checkout.
void FrontendLines(const Span& span, const TraceFacts& facts, RecordWriter& w) {
  if (span.kind() != Span::SPAN_KIND_SERVER || !span.parent_span_id().empty()) return;
  const int64_t status = IntAttr(span, "http.response.status_code");
  const std::string method = StrAttr(span, "http.request.method");
  const std::string route = StrAttr(span, "http.route");
  const int64_t ms = DurationMs(span);
  const int64_t end = static_cast<int64_t>(span.end_time_unix_nano());
  std::string body = fmt::format("{} {} {} {}ms", method, StrAttr(span, "url.path"), status, ms);
  Level level = Level::kInfo;
  if (status >= 500) {
    level = Level::kError;
  } else if (status >= 400 || ms >= 1000) {
    level = Level::kWarn;
  }
  if (ms >= 1000 && status < 500) body += " (slow request)";
  LogRecord* r = w.Text(level, end, body);
  if (status >= 500) {
    std::string message = CopyException(span, r);
    r->mutable_body()->set_string_value(body + ": " + message);
  }
  Str(r, "http.request.method", method);
  Str(r, "http.route", route);
  Str(r, "url.path", StrAttr(span, "url.path"));
  Int(r, "http.response.status_code", status);
  Int(r, "duration_ms", ms);
  Str(r, "client.address", StrAttr(span, "client.address"));
  if (route != "/") Str(r, "user.id", facts.user_id);
  if (route == "/checkout" && status == 200) {
    LogRecord* j = w.Json(Level::kInfo, end - kMs, "checkout completed");
    RecordWriter::Field(j, "order_id", facts.order_id);
    RecordWriter::Field(j, "user_id", facts.user_id);
    RecordWriter::Field(j, "items", facts.items);
    RecordWriter::Field(j, "total_cents", facts.total_cents);
    Str(j, "order.id", facts.order_id);
    Str(j, "user.id", facts.user_id);
    Str(j, "http.route", route);
  }
}

void DatabaseLines(const Span& span, loadgen::SplitMix& rng, RecordWriter& w) {
  const std::string system = StrAttr(span, "db.system");
  const int64_t end = static_cast<int64_t>(span.end_time_unix_nano());
  const int64_t ms = DurationMs(span);
  const std::string query = StrAttr(span, "db.query.text");
  if (system == "postgresql") {
    LogRecord* r = nullptr;
    if (Failed(span)) {
      r = w.Text(Level::kError, end, "query failed: " + query);
      std::string message = CopyException(span, r);
      r->mutable_body()->set_string_value(
          fmt::format("query failed after {} ms: {} ({})", ms, message, query));
    } else if (ms >= 500) {
      r = w.Text(Level::kWarn, end, fmt::format("slow query: {} ms: {}", ms, query));
    } else {
      return;
    }
    Str(r, "db.system", system);
    Str(r, "db.collection.name", StrAttr(span, "db.collection.name"));
    Str(r, "db.query.text", query);
    Int(r, "duration_ms", ms);
    return;
  }
  if (system != "redis") return;
  const std::string op = StrAttr(span, "db.operation.name");
  if (Failed(span)) {
    LogRecord* r = w.Text(Level::kError, end, "redis " + op + " failed");
    std::string message = CopyException(span, r);
    r->mutable_body()->set_string_value(fmt::format("redis {} failed: {}", op, message));
    Str(r, "db.system", system);
    Str(r, "db.operation.name", op);
    return;
  }
  if ((op == "GET" || op == "HGETALL") && rng.Chance(0.25)) {
    std::string key = query.substr(query.find(' ') + 1);
    const bool cart = key.starts_with("cart:");
    if (key.ends_with("?")) key.pop_back();
    if (cart) key += fmt::format("u-{}", 10000 + rng.Below(5000));
    if (key.ends_with(":")) key += fmt::format("{}", rng.Below(4000));
    LogRecord* r = w.Text(Level::kDebug, end, "cache miss key=" + key);
    Str(r, "db.system", system);
    Str(r, "cache.key", key);
  }
}

void ServiceLines(const Span& span, const ServiceInstance& inst, const TraceFacts& facts,
                  loadgen::SplitMix& rng, RecordWriter& w) {
  const int64_t end = static_cast<int64_t>(span.end_time_unix_nano());
  const int64_t start = static_cast<int64_t>(span.start_time_unix_nano());
  const int64_t ms = DurationMs(span);
  const std::string method = StrAttr(span, "rpc.method");
  const bool json = JsonLogger(inst);
  if (span.kind() == Span::SPAN_KIND_INTERNAL) {
    if (span.name() == "calculate shipping quote") {
      if (Failed(span)) {
        LogRecord* r =
            w.Json(Level::kError, end, "shipping quote timed out order=" + facts.order_id);
        CopyException(span, r);
        Str(r, "order.id", facts.order_id);
      } else {
        LogRecord* r =
            w.Json(Level::kDebug, end, fmt::format("shipping quote computed in {}ms", ms));
        Str(r, "order.id", facts.order_id);
      }
    } else if (span.name() == "fraud check") {
      LogRecord* r = w.Json(Level::kDebug, end,
                            fmt::format("fraud score {:.2f} order={}",
                                        static_cast<double>(rng.Below(40)) / 100, facts.order_id));
      Str(r, "order.id", facts.order_id);
    }
    return;
  }
  if (span.kind() != Span::SPAN_KIND_SERVER || Attr(span, "http.route")) return;
  const int64_t code = IntAttr(span, "rpc.grpc.status_code");
  LogRecord* r = nullptr;
  if (method == "PlaceOrder") {
    if (code == 0) {
      r = w.Json(Level::kInfo, end,
                 fmt::format("order placed order={} user={} total={} payment={}", facts.order_id,
                             facts.user_id, Money(facts.total_cents), facts.payment_method));
      RecordWriter::Field(r, "order_id", facts.order_id);
      RecordWriter::Field(r, "total_cents", facts.total_cents);
      Str(r, "payment.method", facts.payment_method);
    } else {
      r = w.Json(Level::kError, end,
                 fmt::format("failed to place order order={}: {}", facts.order_id,
                             span.status().message()));
      RecordWriter::Field(r, "order_id", facts.order_id);
      RecordWriter::Field(r, "grpc_code", code);
    }
    Str(r, "order.id", facts.order_id);
    Str(r, "user.id", facts.user_id);
  } else if (method == "Charge") {
    if (code == 0) {
      r = w.Json(Level::kInfo, end,
                 fmt::format("payment authorized order={} amount={}", facts.order_id,
                             Money(facts.total_cents)));
      RecordWriter::Field(r, "transaction_id", fmt::format("txn_{:012x}", rng.Next() >> 16));
    } else {
      static constexpr std::array<std::string_view, 4> kReasons = {
          "card_expired", "insufficient_funds", "do_not_honor", "incorrect_cvc"};
      const std::string reason(kReasons[rng.Below(kReasons.size())]);
      r = w.Json(Level::kError, end,
                 fmt::format("payment declined: {} order={}", reason, facts.order_id));
      RecordWriter::Field(r, "reason", reason);
      CopyException(span, r);
      Str(r, "payment.decline_reason", reason);
    }
    RecordWriter::Field(r, "order_id", facts.order_id);
    RecordWriter::Field(r, "amount_cents", facts.total_cents);
    RecordWriter::Field(r, "card_brand", facts.card_brand);
    Str(r, "order.id", facts.order_id);
    Str(r, "payment.method", facts.payment_method);
  } else if (code != 0) {
    std::string body =
        fmt::format("{} failed with gRPC code {}: {}", span.name(), code, span.status().message());
    const Level level = code == 5 || code == 9 ? Level::kWarn : Level::kError;
    r = json ? w.Json(level, end, body) : w.Text(level, end, body);
    if (level == Level::kError) CopyException(span, r);
  } else if (method == "AddItem" || method == "GetCart" || method == "EmptyCart") {
    r = w.Text(Level::kInfo, end,
               fmt::format("{} user={} items={} in {}ms", method, facts.user_id,
                           method == "EmptyCart" ? 0 : facts.items, ms));
    Str(r, "user.id", facts.user_id);
  } else if (method == "ReserveStock") {
    r = w.Text(Level::kInfo, end,
               fmt::format("reserved {} items for order={}", facts.items, facts.order_id));
    Str(r, "order.id", facts.order_id);
  } else if (rng.Chance(0.3)) {
    r = w.Text(Level::kDebug, start + kMs / 10, fmt::format("handling {}", span.name()));
  }
  if (r) {
    Str(r, "rpc.method", method);
    Str(r, "rpc.service", StrAttr(span, "rpc.service"));
  }
}

logs_pb::ScopeLogs* NewScope(const ServiceInstance& inst, ExportLogsServiceRequest& out,
                             const ::opentelemetry::proto::resource::v1::Resource* resource) {
  auto* rl = out.add_resource_logs();
  if (resource) {
    *rl->mutable_resource() = *resource;
  } else {
    FillResource(inst, rl->mutable_resource());
  }
  rl->set_schema_url("https://opentelemetry.io/schemas/1.26.0");
  auto* scope = rl->add_scope_logs();
  scope->mutable_scope()->set_name("shop/" + std::string(ShopServiceName(inst.service)));
  scope->mutable_scope()->set_version(inst.version);
  return scope;
}

}  // namespace

ExportLogsServiceRequest ShopLogGenerator::ForSpans(const ServiceInstance& inst,
                                                    const ExportTraceServiceRequest& traces) const {
  ExportLogsServiceRequest out;
  for (const auto& rs : traces.resource_spans()) {
    logs_pb::ScopeLogs* scope = NewScope(inst, out, &rs.resource());
    for (const auto& ss : rs.scope_spans()) {
      for (const Span& span : ss.spans()) {
        loadgen::SplitMix rng(seed_ ^ IdLow64(span.span_id()) ^ 0x1065'1065ull);
        const TraceFacts facts = FactsOfTrace(seed_, span.trace_id());
        RecordWriter w(scope, &span);
        if (inst.service == ShopService::kFrontend) FrontendLines(span, facts, w);
        if (span.kind() == Span::SPAN_KIND_CLIENT && Attr(span, "db.system")) {
          DatabaseLines(span, rng, w);
        } else {
          ServiceLines(span, inst, facts, rng, w);
        }
      }
    }
    if (scope->log_records().empty()) out.mutable_resource_logs()->RemoveLast();
  }
  return out;
}

ExportLogsServiceRequest ShopLogGenerator::Startup(const ServiceInstance& inst,
                                                   int64_t time_ns) const {
  ExportLogsServiceRequest out;
  RecordWriter w(NewScope(inst, out, nullptr), nullptr);
  static constexpr std::array<int, kShopServiceCount> kPorts = {8080, 5050, 7070, 50051, 9555};
  const int port = kPorts[static_cast<size_t>(inst.service)];
  const std::string name(ShopServiceName(inst.service));
  int64_t t = time_ns;
  auto line = [&](Level level, std::string text) {
    t += 40 * kMs;
    LogRecord* r = w.Text(level, t, std::move(text));
    Str(r, "logger", name + ".main");
    return r;
  };
  line(Level::kInfo, fmt::format("starting {} {} ({} pod {}, env {})", name, inst.version,
                                 inst.sdk_language, inst.pod, inst.env));
  if (inst.service == ShopService::kCheckout || inst.service == ShopService::kPayment ||
      inst.service == ShopService::kInventory) {
    line(Level::kInfo, "connected to postgres at postgres:5432 (database shop, pool size 20)");
  }
  if (inst.service != ShopService::kCheckout && inst.service != ShopService::kPayment) {
    line(Level::kInfo, "connected to redis at redis:6379");
  }
  if (inst.canary) line(Level::kWarn, "feature flag shipping-quote-v2 enabled (canary)");
  LogRecord* r = line(Level::kInfo, fmt::format("{} listening on :{}", name, port));
  Int(r, "server.port", port);
  line(Level::kDebug, fmt::format("health check ok ({} ms since start)", t / kMs - time_ns / kMs));
  return out;
}

}  // namespace periscope::demo
