#pragma once

#include <random>
#include <string>

#include "model/span_batch.h"

namespace periscope::testing {

// Deterministic batch of `traces` traces with `spans_per_trace` spans each, shaped like the
// benchmark workload: a SERVER root and CLIENT children, a few services, typed attributes,
// some events and links, ~2% errors.
inline SpanBatch MakeTestSpans(int traces, int spans_per_trace, uint64_t seed = 1,
                               int64_t base_ns = 1'795'000'000'000'000'000) {
  std::mt19937_64 rng(seed);
  SpanBatch b;
  const char* services[] = {"frontend", "checkout", "cart", "payment"};
  for (int s = 0; s < 4; ++s) {
    Resource r;
    r.attributes = {{"service.name", AnyValue::String(services[s])},
                    {"service.version", AnyValue::String("1.2." + std::to_string(s))},
                    {"deployment.environment.name", AnyValue::String(s % 2 ? "prod" : "staging")},
                    {"host.name", AnyValue::String("host-" + std::to_string(s))}};
    r.tags = ExtractUnifiedTags(r.attributes);
    b.resources.push_back(std::move(r));
  }
  b.scopes.push_back(Scope{"periscope.test", "0.1", {}, 0, ""});
  for (int t = 0; t < traces; ++t) {
    TraceId tid;
    for (auto& x : tid.bytes) x = static_cast<uint8_t>(rng());
    uint32_t svc = static_cast<uint32_t>(rng() % 4);
    int64_t start =
        base_ns + static_cast<int64_t>(t) * 1'000'000 + static_cast<int64_t>(rng() % 1000);
    SpanId root;
    for (int k = 0; k < spans_per_trace; ++k) {
      size_t i = b.AddRow(k == 0 ? svc : static_cast<uint32_t>((svc + k) % 4), 0);
      b.trace_id[i] = tid;
      for (auto& x : b.span_id[i].bytes) x = static_cast<uint8_t>(rng());
      if (k == 0) {
        root = b.span_id[i];
        b.kind[i] = SpanKind::kServer;
        b.name[i] = "GET /api/item/{id}";
        b.attributes[i] = {
            {"http.request.method", AnyValue::String("GET")},
            {"http.route", AnyValue::String("/api/item/{id}")},
            {"http.response.status_code", AnyValue::Int(rng() % 50 == 0 ? 500 : 200)},
            {"user.id", AnyValue::String("user-" + std::to_string(rng() % 100000))}};
        b.events[i].push_back(
            SpanEvent{start + 10, "request.received", {{"size", AnyValue::Int(123)}}, 0});
      } else {
        b.parent_span_id[i] = root;
        b.kind[i] = SpanKind::kClient;
        b.name[i] = k == 1 ? "SELECT items" : "rpc.call" + std::to_string(k);
        b.attributes[i] = {{"db.system", AnyValue::String("postgresql")},
                           {"retry", AnyValue::Bool(k % 2 == 0)},
                           {"ratio", AnyValue::Double(0.25 * k)},
                           {"rows", AnyValue::Int(static_cast<int64_t>(rng() % 100))}};
        if (k == 2) {
          b.links[i].push_back(
              SpanLink{tid, root, "", {{"link.kind", AnyValue::String("follows")}}, 0, 1});
        }
      }
      b.start_ns[i] = start + k * 1000;
      b.end_ns[i] = b.start_ns[i] + 100'000 + static_cast<int64_t>(rng() % 5'000'000);
      if (rng() % 50 == 0) {
        b.status_code[i] = StatusCodeValue::kError;
        b.status_message[i] = "boom";
      }
      b.flags[i] = 1;
    }
  }
  return b;
}

}  // namespace periscope::testing
