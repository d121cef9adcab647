#include "demo/shop_traces.h"

#include <array>
#include <utility>

namespace periscope::demo {
namespace {

namespace otlp = ::opentelemetry::proto::trace::v1;
using Span = otlp::Span;
using ::opentelemetry::proto::common::v1::KeyValue;

constexpr int64_t kMs = 1'000'000;
constexpr uint32_t kFlagSampled = 0x01;
constexpr uint32_t kFlagHasIsRemote = 0x100;
constexpr uint32_t kFlagIsRemote = 0x200;

enum GrpcCode : int {
  kOk = 0,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kFailedPrecondition = 9,
  kInternal = 13,
  kUnavailable = 14
};

constexpr std::array<std::string_view, 5> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "python-requests/2.31.0",
};

int ServicePort(ShopService s) {
  static constexpr std::array<int, kShopServiceCount> kPorts = {8080, 5050, 7070, 50051, 9555};
  return kPorts[static_cast<size_t>(s)];
}

std::string ProductId(uint64_t i) {
  loadgen::SplitMix rng(0xC0FFEE + i);
  std::string id(10, 'A');
  for (char& c : id) {
    uint64_t v = rng.Below(36);
    c = static_cast<char>(v < 26 ? 'A' + v : '0' + (v - 26));
  }
  return id;
}

void Str(Span* s, std::string_view key, std::string_view value) {
  KeyValue* kv = s->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::string(value));
}

void Int(Span* s, std::string_view key, int64_t value) {
  KeyValue* kv = s->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_int_value(value);
}

void Fail(Span* s, std::string_view message) {
  s->mutable_status()->set_code(otlp::Status::STATUS_CODE_ERROR);
  s->mutable_status()->set_message(std::string(message));
}

std::string Stacktrace(std::string_view language, std::string_view type, std::string_view message,
                       std::string_view frame) {
  std::string out;
  if (language == "java") {
    out =
        std::string(type) + ": " + std::string(message) + "\n\tat " + std::string(frame) +
        "\n\tat com.shop.inventory.StockRepository.query(StockRepository.java:88)"
        "\n\tat com.shop.inventory.InventoryService.handle(InventoryService.java:142)"
        "\n\tat io.grpc.stub.ServerCalls$UnaryServerCallHandler.onHalfClose(ServerCalls.java:182)";
  } else if (language == "dotnet") {
    out = std::string(type) + ": " + std::string(message) + "\n   at " + std::string(frame) +
          "\n   at Shop.Cart.CartStore.GetCartAsync(String userId) in /src/CartStore.cs:line 57"
          "\n   at Shop.Cart.CartService.GetCart(GetCartRequest request, ServerCallContext ctx)";
  } else if (language == "go") {
    out = "goroutine 1187 [running]:\n" + std::string(frame) +
          "\n\t/app/checkout/main.go:214 +0x2c5\nmain.(*checkout).PlaceOrder(...)"
          "\n\t/app/checkout/main.go:171 +0x8a";
  } else {
    out = std::string(type) + ": " + std::string(message) + "\n    at " + std::string(frame) +
          "\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"
          "\n    at async Server.handle (/app/server.js:77:9)";
  }
  return out;
}

struct RpcResult {
  int64_t end = 0;
  int code = kOk;
  std::string message;
};

struct DbResult {
  int64_t end = 0;
  bool error = false;
};

}  // namespace

// Builds one trace into the batch; times are relative to the trace's start until Shift().
class ShopTraceGenerator::Trace {
 public:
  Trace(const ShopTopology& topology, loadgen::SplitMix& rng,
        std::vector<std::unique_ptr<ExportTraceServiceRequest>>& by_instance)
      : topology_(topology), rng_(rng), by_instance_(by_instance) {
    trace_id_.resize(16);
    for (int i = 0; i < 16; i += 8) PutRandom(&trace_id_[static_cast<size_t>(i)]);
    staging_ = rng_.Chance(0.15);
    slow_db_pending_ = rng_.Chance(0.01);
  }

  // Runs one user request; returns the instances that got spans.
  uint64_t Run() {
    fe_ = Pod(ShopService::kFrontend);
    uint64_t pick = rng_.Below(100);
    if (pick < 30) {
      Request("GET", "/", "/", [this](Span* root, int64_t t) { return Home(root, t); });
    } else if (pick < 70) {
      std::string path = "/product/" + ProductId(rng_.Below(40));
      Request("GET", "/product/{id}", path,
              [this](Span* root, int64_t t) { return Product(root, t); });
    } else if (pick < 88) {
      Request("POST", "/cart", "/cart",
              [this](Span* root, int64_t t) { return AddToCart(root, t); });
    } else {
      Request("POST", "/checkout", "/checkout",
              [this](Span* root, int64_t t) { return Checkout(root, t); });
    }
    return instances_;
  }

  // Moves the whole trace so that it ends at `end_ns`.
  void Shift(int64_t end_ns) {
    uint64_t delta = static_cast<uint64_t>(end_ns - trace_end_);
    for (Span* s : spans_) {
      s->set_start_time_unix_nano(s->start_time_unix_nano() + delta);
      s->set_end_time_unix_nano(s->end_time_unix_nano() + delta);
      for (auto& e : *s->mutable_events()) e.set_time_unix_nano(e.time_unix_nano() + delta);
    }
  }

 private:
  void PutRandom(char* out) {
    uint64_t v = rng_.Next() | 1;
    for (int j = 0; j < 8; ++j) out[j] = static_cast<char>(v >> (8 * j));
  }

  // ns in [lo, hi) ms, skewed toward lo like real latencies.
  int64_t Ms(double lo, double hi) {
    double u = static_cast<double>(rng_.Next() >> 11) * 0x1.0p-53;
    return static_cast<int64_t>((lo + (hi - lo) * u * u) * static_cast<double>(kMs));
  }

  size_t Pod(ShopService service) {
    bool canary = service == ShopService::kCheckout && !staging_ && rng_.Chance(0.2);
    const auto& pods = topology_.Pods(service, staging_, canary);
    return pods[rng_.Below(pods.size())];
  }

  const ServiceInstance& Inst(size_t i) const { return topology_.instances()[i]; }

  ExportTraceServiceRequest* RequestFor(size_t inst) {
    auto& slot = by_instance_[inst];
    if (slot) return slot.get();
    slot = std::make_unique<ExportTraceServiceRequest>();
    const ServiceInstance& si = Inst(inst);
    auto* rs = slot->add_resource_spans();
    FillResource(si, rs->mutable_resource());
    std::string name(ShopServiceName(si.service));
    rs->set_schema_url("https://opentelemetry.io/schemas/1.26.0");
    auto* scope = rs->add_scope_spans()->mutable_scope();
    scope->set_name("shop/" + name);
    scope->set_version(si.version);
    return slot.get();
  }

  Span* NewSpan(size_t inst, const Span* parent, std::string name, Span::SpanKind kind,
                int64_t start, bool remote_parent = false) {
    Span* s = RequestFor(inst)->mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans();
    s->set_trace_id(trace_id_);
    std::string id(8, '\0');
    PutRandom(id.data());
    s->set_span_id(std::move(id));
    if (parent) s->set_parent_span_id(parent->span_id());
    s->set_flags(kFlagSampled | kFlagHasIsRemote | (remote_parent ? kFlagIsRemote : 0));
    s->set_name(std::move(name));
    s->set_kind(kind);
    s->set_start_time_unix_nano(static_cast<uint64_t>(start));
    spans_.push_back(s);
    instances_ |= uint64_t{1} << inst;
    return s;
  }

  static void End(Span* s, int64_t end) { s->set_end_time_unix_nano(static_cast<uint64_t>(end)); }

  void Exception(Span* s, int64_t t, size_t inst, std::string_view type, std::string_view message,
                 std::string_view frame) {
    auto* e = s->add_events();
    e->set_time_unix_nano(static_cast<uint64_t>(t));
    e->set_name("exception");
    auto add = [&](std::string_view k, std::string v) {
      KeyValue* kv = e->add_attributes();
      kv->set_key(std::string(k));
      kv->mutable_value()->set_string_value(std::move(v));
    };
    add("exception.type", std::string(type));
    add("exception.message", std::string(message));
    add("exception.stacktrace", Stacktrace(Inst(inst).sdk_language, type, message, frame));
  }

  template <typename Handler>
  void Request(std::string_view method, std::string_view route, std::string_view path,
               Handler handler) {
    Span* root = NewSpan(fe_, nullptr, std::string(method) + " " + std::string(route),
                         Span::SPAN_KIND_SERVER, 0);
    Str(root, "http.request.method", method);
    Str(root, "http.route", route);
    Str(root, "url.path", path);
    Str(root, "url.scheme", "https");
    Str(root, "server.address", staging_ ? "staging.shop.example.com" : "shop.example.com");
    Int(root, "server.port", 443);
    Str(root, "network.protocol.version", "1.1");
    Str(root, "user_agent.original", kUserAgents[rng_.Below(kUserAgents.size())]);
    Str(root, "client.address", "203.0.113." + std::to_string(1 + rng_.Below(254)));
    std::pair<int64_t, int> done = handler(root, Ms(0.1, 0.8));
    int status = done.second;
    int64_t end = done.first + Ms(0.1, 1.0);
    Int(root, "http.response.status_code", status);
    if (status >= 500) {
      Str(root, "error.type", std::to_string(status));
      Fail(root, "upstream call failed");
      Exception(root, end - Ms(0.05, 0.1), fe_, "Error", "13 INTERNAL: upstream call failed",
                "Object.callErrorFromStatus (/app/node_modules/@grpc/grpc-js/build/src/"
                "call.js:31:19)");
    }
    End(root, end);
    trace_end_ = end;
  }

  template <typename Body>
  RpcResult Rpc(size_t caller, const Span* parent, ShopService callee_service,
                std::string_view rpc_service, std::string_view method, int64_t start, Body body) {
    size_t callee = Pod(callee_service);
    std::string name = std::string(rpc_service) + "/" + std::string(method);
    std::string peer(ShopServiceName(callee_service));
    Span* client = NewSpan(caller, parent, name, Span::SPAN_KIND_CLIENT, start);
    Str(client, "rpc.system", "grpc");
    Str(client, "rpc.service", rpc_service);
    Str(client, "rpc.method", method);
    Str(client, "server.address", peer);
    Int(client, "server.port", ServicePort(callee_service));
    Str(client, "peer.service", peer);
    int64_t server_start = start + Ms(0.15, 0.8);
    Span* server = NewSpan(callee, client, name, Span::SPAN_KIND_SERVER, server_start, true);
    Str(server, "rpc.system", "grpc");
    Str(server, "rpc.service", rpc_service);
    Str(server, "rpc.method", method);
    Str(server, "server.address", peer);
    Int(server, "server.port", ServicePort(callee_service));
    RpcResult r = body(server, callee, server_start + Ms(0.05, 0.3));
    int64_t server_end = r.end + Ms(0.05, 0.3);
    End(server, server_end);
    Int(server, "rpc.grpc.status_code", r.code);
    Int(client, "rpc.grpc.status_code", r.code);
    if (r.code != kOk) {
      if (r.code != kNotFound) Fail(server, r.message);
      Fail(client, r.message);
    }
    r.end = server_end + Ms(0.15, 0.8);
    End(client, r.end);
    return r;
  }

  DbResult Db(size_t inst, const Span* parent, int64_t start, std::string_view op,
              std::string_view table, std::string_view query, double lo_ms, double hi_ms,
              double error_rate = 0.004) {
    Span* s = NewSpan(inst, parent, std::string(op) + " " + std::string(table),
                      Span::SPAN_KIND_CLIENT, start);
    Str(s, "db.system", "postgresql");
    Str(s, "db.namespace", "shop");
    Str(s, "db.operation.name", op);
    Str(s, "db.collection.name", table);
    Str(s, "db.query.text", query);
    Str(s, "server.address", "postgres");
    Int(s, "server.port", 5432);
    Str(s, "peer.service", "postgres");
    DbResult r;
    int64_t duration = Ms(lo_ms, hi_ms);
    if (slow_db_pending_) {  // a lock wait or a cold cache: the ~1% slow outlier
      slow_db_pending_ = false;
      duration = Ms(700, 2500);
    }
    r.end = start + duration;
    if (rng_.Chance(error_rate)) {
      r.error = true;
      Str(s, "error.type", "57014");
      Fail(s, "canceling statement due to statement timeout");
      Exception(s, r.end, inst, "org.postgresql.util.PSQLException",
                "ERROR: canceling statement due to statement timeout",
                "org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse("
                "QueryExecutorImpl.java:2713)");
    }
    End(s, r.end);
    return r;
  }

  DbResult Cache(size_t inst, const Span* parent, int64_t start, std::string_view op,
                 std::string_view key, double error_rate = 0.0) {
    Span* s = NewSpan(inst, parent, std::string(op), Span::SPAN_KIND_CLIENT, start);
    Str(s, "db.system", "redis");
    Str(s, "db.namespace", "0");
    Str(s, "db.operation.name", op);
    Str(s, "db.query.text", std::string(op) + " " + std::string(key));
    Str(s, "server.address", "redis");
    Int(s, "server.port", 6379);
    Str(s, "peer.service", "redis");
    DbResult r;
    r.end = start + Ms(0.15, 1.5);
    if (rng_.Chance(error_rate)) {
      r.error = true;
      r.end = start + Ms(1000, 1010);
      Fail(s, "Timeout awaiting response");
      Exception(s, r.end, inst, "StackExchange.Redis.RedisTimeoutException",
                "Timeout awaiting response (outbound=0KiB, inbound=0KiB, 1000ms elapsed)",
                "StackExchange.Redis.ConnectionMultiplexer.ExecuteSyncImpl[T](Message message)");
    }
    End(s, r.end);
    return r;
  }

  Span* Internal(size_t inst, const Span* parent, std::string name, int64_t start,
                 int64_t duration) {
    Span* s = NewSpan(inst, parent, std::move(name), Span::SPAN_KIND_INTERNAL, start);
    End(s, start + duration);
    return s;
  }

  RpcResult GetCart(size_t caller, const Span* parent, int64_t t) {
    return Rpc(caller, parent, ShopService::kCart, "oteldemo.CartService", "GetCart", t,
               [this](Span* s, size_t inst, int64_t t) {
                 DbResult c = Cache(inst, s, t, "HGETALL", "cart:?", 0.003);
                 if (c.error) return RpcResult{c.end, kUnavailable, "cart store timed out"};
                 return RpcResult{c.end + Ms(0.05, 0.4)};
               });
  }

  std::pair<int64_t, int> Home(Span* root, int64_t t) {
    RpcResult cart = GetCart(fe_, root, t);
    if (cart.code) return {cart.end, 500};
    RpcResult list = Rpc(fe_, root, ShopService::kInventory, "oteldemo.InventoryService",
                         "ListProducts", cart.end, [this](Span* s, size_t inst, int64_t t) {
                           t = Cache(inst, s, t, "GET", "products:featured").end;
                           if (rng_.Chance(0.15)) {
                             DbResult d =
                                 Db(inst, s, t, "SELECT", "products",
                                    "SELECT id, name, price_cents, image_url FROM products WHERE "
                                    "featured = ? ORDER BY rank LIMIT ?",
                                    2, 12);
                             if (d.error) return RpcResult{d.end, kInternal, "database error"};
                             t = Cache(inst, s, d.end, "SET", "products:featured").end;
                           }
                           return RpcResult{t + Ms(0.1, 1)};
                         });
    if (list.code) return {list.end, 500};
    int64_t render = Ms(2, 9);
    Internal(fe_, root, "render home", list.end, render);
    return {list.end + render, 200};
  }

  std::pair<int64_t, int> Product(Span* root, int64_t t) {
    RpcResult product = Rpc(
        fe_, root, ShopService::kInventory, "oteldemo.InventoryService", "GetProduct", t,
        [this](Span* s, size_t inst, int64_t t) {
          t = Cache(inst, s, t, "GET", "product:?").end;
          if (rng_.Chance(0.2)) {
            DbResult d = Db(inst, s, t, "SELECT", "products",
                            "SELECT id, name, description, price_cents, image_url FROM products "
                            "WHERE id = ?",
                            1, 6);
            if (d.error) return RpcResult{d.end, kInternal, "database error"};
            if (rng_.Chance(0.1))
              return RpcResult{d.end + Ms(0.05, 0.2), kNotFound, "product not found"};
            t = Cache(inst, s, d.end, "SET", "product:?").end;
          }
          return RpcResult{t + Ms(0.1, 0.8)};
        });
    if (product.code == kNotFound) return {product.end, 404};
    if (product.code) return {product.end, 500};
    RpcResult cart = GetCart(fe_, root, product.end);
    if (cart.code) return {cart.end, 500};
    int64_t render = Ms(1.5, 7);
    Internal(fe_, root, "render product", cart.end, render);
    return {cart.end + render, 200};
  }

  std::pair<int64_t, int> AddToCart(Span* root, int64_t t) {
    RpcResult add =
        Rpc(fe_, root, ShopService::kCart, "oteldemo.CartService", "AddItem", t,
            [this](Span* s, size_t inst, int64_t t) {
              RpcResult stock = Rpc(
                  inst, s, ShopService::kInventory, "oteldemo.InventoryService", "CheckStock", t,
                  [this](Span* s2, size_t inst2, int64_t t2) {
                    DbResult d = Db(inst2, s2, t2, "SELECT", "stock",
                                    "SELECT quantity FROM stock WHERE product_id = ?", 0.8, 4);
                    if (d.error) return RpcResult{d.end, kInternal, "database error"};
                    if (rng_.Chance(0.03)) {
                      return RpcResult{d.end + Ms(0.05, 0.2), kFailedPrecondition, "out of stock"};
                    }
                    return RpcResult{d.end + Ms(0.05, 0.3)};
                  });
              if (stock.code) return stock;
              DbResult c = Cache(inst, s, stock.end, "HSET", "cart:?", 0.003);
              if (c.error) return RpcResult{c.end, kUnavailable, "cart store timed out"};
              return RpcResult{c.end + Ms(0.05, 0.3)};
            });
    if (add.code == kFailedPrecondition) return {add.end, 409};
    if (add.code) return {add.end, 500};
    return {add.end, 200};
  }

  std::pair<int64_t, int> Checkout(Span* root, int64_t t) {
    RpcResult order =
        Rpc(fe_, root, ShopService::kCheckout, "oteldemo.CheckoutService", "PlaceOrder", t,
            [this](Span* s, size_t inst, int64_t t) { return PlaceOrder(s, inst, t); });
    switch (order.code) {
      case kOk:
        return {order.end, 200};
      case kFailedPrecondition:
        return {order.end, 402};
      case kDeadlineExceeded:
        return {order.end, 504};
      default:
        return {order.end, 500};
    }
  }

  RpcResult PlaceOrder(Span* s, size_t inst, int64_t t) {
    bool canary = Inst(inst).canary;
    RpcResult cart = GetCart(inst, s, t);
    if (cart.code) return cart;
    t = cart.end;
    if (canary) {  // the new version's shipping quote: slower, and sometimes times out
      int64_t d = Ms(15, 60);
      Span* quote = Internal(inst, s, "calculate shipping quote", t, d);
      t += d;
      if (rng_.Chance(0.03)) {
        Fail(quote, "context deadline exceeded");
        Exception(quote, t, inst, "context.deadlineExceededError", "context deadline exceeded",
                  "main.(*checkout).quoteShipping(0xc0001a2000, {0x1c3e4f0, 0xc000412a80})");
        return RpcResult{t + Ms(0.1, 0.5), kDeadlineExceeded, "shipping quote timed out"};
      }
    }
    RpcResult reserve =
        Rpc(inst, s, ShopService::kInventory, "oteldemo.InventoryService", "ReserveStock", t,
            [this](Span* s2, size_t inst2, int64_t t2) {
              DbResult d = Db(inst2, s2, t2, "UPDATE", "stock",
                              "UPDATE stock SET quantity = quantity - ? WHERE product_id = ? AND "
                              "quantity >= ?",
                              1.5, 8);
              if (d.error) return RpcResult{d.end, kInternal, "database error"};
              return RpcResult{d.end + Ms(0.05, 0.3)};
            });
    if (reserve.code) return reserve;
    double decline_rate = canary ? 0.08 : 0.04;
    RpcResult charge =
        Rpc(inst, s, ShopService::kPayment, "oteldemo.PaymentService", "Charge", reserve.end,
            [this, decline_rate](Span* s2, size_t inst2, int64_t t2) {
              int64_t fraud = Ms(1, 6);
              Internal(inst2, s2, "fraud check", t2, fraud);
              t2 += fraud;
              if (rng_.Chance(decline_rate)) {
                Exception(s2, t2, inst2, "PaymentDeclinedError",
                          "card declined: insufficient funds", "charge (/app/charge.js:41:11)");
                return RpcResult{t2 + Ms(0.1, 0.4), kFailedPrecondition, "payment declined"};
              }
              DbResult d = Db(inst2, s2, t2, "INSERT", "payments",
                              "INSERT INTO payments (order_id, amount_cents, card_last4, status) "
                              "VALUES (?, ?, ?, ?)",
                              1.5, 7);
              if (d.error) return RpcResult{d.end, kInternal, "database error"};
              return RpcResult{d.end + Ms(0.1, 0.5)};
            });
    if (charge.code) return charge;
    DbResult insert = Db(inst, s, charge.end, "INSERT", "orders",
                         "INSERT INTO orders (id, user_id, total_cents, created_at) VALUES "
                         "(?, ?, ?, ?)",
                         canary ? 3 : 1.5, canary ? 12 : 7);
    if (insert.error) return RpcResult{insert.end, kInternal, "database error"};
    RpcResult empty = Rpc(inst, s, ShopService::kCart, "oteldemo.CartService", "EmptyCart",
                          insert.end, [this](Span* s2, size_t inst2, int64_t t2) {
                            DbResult c = Cache(inst2, s2, t2, "DEL", "cart:?");
                            return RpcResult{c.end + Ms(0.05, 0.3)};
                          });
    return RpcResult{empty.end + Ms(0.1, 0.6)};
  }

  const ShopTopology& topology_;
  loadgen::SplitMix& rng_;
  std::vector<std::unique_ptr<ExportTraceServiceRequest>>& by_instance_;
  std::string trace_id_;
  bool staging_ = false;
  bool slow_db_pending_ = false;
  size_t fe_ = 0;
  std::vector<Span*> spans_;
  uint64_t instances_ = 0;
  int64_t trace_end_ = 0;
};

ShopTraceGenerator::ShopTraceGenerator(uint64_t seed) : rng_(seed) {}
ShopTraceGenerator::~ShopTraceGenerator() = default;

ShopBatch ShopTraceGenerator::Generate(int traces, int64_t now_ns, int64_t window_ns) {
  ShopBatch batch;
  std::vector<std::unique_ptr<ExportTraceServiceRequest>> by_instance(topology_.instances().size());
  for (int i = 0; i < traces; ++i) {
    Trace trace(topology_, rng_, by_instance);
    batch.trace_instances.push_back(trace.Run());
    int64_t offset =
        window_ns > 0 ? static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(window_ns))) : 0;
    trace.Shift(now_ns - offset);
  }
  for (size_t i = 0; i < by_instance.size(); ++i) {
    if (!by_instance[i]) continue;
    batch.requests.push_back(InstanceRequest{i, std::move(*by_instance[i])});
  }
  return batch;
}

}  // namespace periscope::demo
