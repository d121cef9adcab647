// otlp_encode_bench: CPU and allocations of the span exporter's encoding step on a batch of 512
// RPC-like spans (name ~20 chars, 5 shared RPC attributes + 1 own, CLIENT and SERVER spans of one
// resource and scope): the generated-message encoder (EncodeSpans + SerializeToString, what
// OtlpSpanExporter did before session 6) against the direct wire encoder (EncodeSpansWire).
// BM_EncodePlainSpansWire: the same spans as the RPC framework queues them when a call sets nothing
// of its own (no own attribute, no status description), which the encoder writes by a shorter path.
// Counters: ns per span (from items_per_second), allocs_per_span, bytes_per_span.
// BM_ExportHttp*: the whole export call of that batch, encoding plus OTLP/HTTP to an in-process
// sink that acks without parsing (the exchange runs on the calling thread, whose CPU is timed).
//
//   otlp_encode_bench [google benchmark flags]
//   otlp_encode_bench --loop=old|new|plain|old_logs|new_logs BATCHES
//       encodes the batch BATCHES times and exits: run it under callgrind with two BATCHES values
//       and divide the instruction difference by the span difference (bench/rpc/encode_probe.sh).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "loadgen/otlp_sink_testing.h"
#include "sdk/otlp_client.h"
#include "sdk/otlp_encoder.h"
#include "sdk/otlp_span_wire.h"

// The counting operator new below is malloc and its delete free; GCC 12 flags the inlined pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<uint64_t> g_allocs{0};
}  // namespace

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

namespace pt = periscope::trace;
namespace internal = periscope::trace::internal;

constexpr int kBatch = 512;

pt::SpanId Id8(uint64_t v) {
  std::array<uint8_t, 8> b{};
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
  return pt::SpanId(b);
}
pt::TraceId Id16(uint64_t v) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 16; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>((v * 31 + i) | 1);
  return pt::TraceId(b);
}

std::vector<pt::SpanData> RpcSpans() {
  pt::Resource r;
  r.attributes = {{"service.name", "checkout"}};
  auto resource = std::make_shared<const pt::Resource>(r.MergedOverDefault());
  auto scope = std::make_shared<const pt::InstrumentationScope>(
      pt::InstrumentationScope{"periscope.rpc", "0.1"});
  auto client_shared =
      std::make_shared<const pt::Attributes>(pt::Attributes{{"rpc.system", "periscope"},
                                                            {"rpc.service", "shop.CartService"},
                                                            {"rpc.method", "AddItem"},
                                                            {"server.address", "10.0.0.12"},
                                                            {"server.port", int64_t{7000}}});
  auto server_shared =
      std::make_shared<const pt::Attributes>(pt::Attributes{{"rpc.system", "periscope"},
                                                            {"rpc.service", "shop.CartService"},
                                                            {"rpc.method", "AddItem"},
                                                            {"network.peer.address", "10.0.0.7"},
                                                            {"network.transport", "tcp"}});
  std::vector<pt::SpanData> spans(kBatch);
  const pt::Timestamp t0 = pt::Clock::now();
  for (int i = 0; i < kBatch; ++i) {
    pt::SpanData& s = spans[static_cast<size_t>(i)];
    const bool server = i % 2 == 1;
    s.context.trace_id = Id16(static_cast<uint64_t>(i / 2 + 1));
    s.context.span_id = Id8(static_cast<uint64_t>(i + 1) * 0x9e3779b97f4a7c15ULL);
    s.context.flags.value = pt::TraceFlags::kSampled;
    if (server) {
      s.parent_span_id = spans[static_cast<size_t>(i - 1)].context.span_id;
      s.parent_is_remote = true;
    }
    s.name = "shop.CartService/Add";
    s.kind = server ? pt::SpanKind::kServer : pt::SpanKind::kClient;
    s.start_time = t0 + std::chrono::microseconds(i * 50);
    s.end_time = s.start_time + std::chrono::microseconds(120 + i % 7);
    s.shared_attributes = server ? server_shared : client_shared;
    s.attributes = {{"rpc.periscope.status_code", int64_t{i % 50 == 0 ? 14 : 0}}};
    if (i % 50 == 0) {
      s.status = pt::StatusCode::kError;
      s.status_message = "unavailable";
    }
    s.resource = resource;
    s.scope = scope;
  }
  return spans;
}

std::vector<pt::LogRecordData> Logs() {
  pt::Resource r;
  r.attributes = {{"service.name", "checkout"}};
  auto resource = std::make_shared<const pt::Resource>(r.MergedOverDefault());
  auto scope = std::make_shared<const pt::InstrumentationScope>(
      pt::InstrumentationScope{"checkout.logger", ""});
  std::vector<pt::LogRecordData> logs(kBatch);
  const pt::Timestamp t0 = pt::Clock::now();
  for (int i = 0; i < kBatch; ++i) {
    pt::LogRecordData& l = logs[static_cast<size_t>(i)];
    l.time = l.observed_time = t0 + std::chrono::microseconds(i);
    l.body = "cart item added to order " + std::to_string(i);
    l.attributes = {{"cart.items", int64_t{i % 9}}, {"user.tier", "gold"}};
    l.trace_id = Id16(static_cast<uint64_t>(i + 1));
    l.span_id = Id8(static_cast<uint64_t>(i + 7));
    l.trace_flags.value = 1;
    l.resource = resource;
    l.scope = scope;
  }
  return logs;
}

// RpcSpans without what a span sets of its own: what an RPC call's spans are when it succeeds.
std::vector<pt::SpanData> PlainRpcSpans() {
  std::vector<pt::SpanData> spans = RpcSpans();
  for (pt::SpanData& s : spans) {
    s.attributes.clear();
    s.status_message.clear();
  }
  return spans;
}

// What the exporter did before: build the request message, then serialize it.
__attribute__((noinline)) void OldSpans(const std::vector<pt::SpanData>& spans, std::string& out) {
  out.clear();
  internal::EncodeSpans(spans).AppendToString(&out);
}
__attribute__((noinline)) void NewSpans(const std::vector<pt::SpanData>& spans, std::string& out) {
  internal::EncodeSpansWire(spans, out);
}
__attribute__((noinline)) void OldLogs(const std::vector<pt::LogRecordData>& logs,
                                       std::string& out) {
  out.clear();
  internal::EncodeLogs(logs).AppendToString(&out);
}
__attribute__((noinline)) void NewLogs(const std::vector<pt::LogRecordData>& logs,
                                       std::string& out) {
  internal::EncodeLogsWire(logs, out);
}

template <class Items, class Encode>
void Run(benchmark::State& state, const Items& items, Encode encode) {
  std::string out;
  encode(items, out);  // warm the reused buffer
  const uint64_t allocs0 = g_allocs.load();
  for (auto _ : state) {
    encode(items, out);
    benchmark::DoNotOptimize(out.data());
  }
  const double n = static_cast<double>(state.iterations()) * static_cast<double>(items.size());
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["allocs_per_span"] = static_cast<double>(g_allocs.load() - allocs0) / n;
  state.counters["bytes_per_span"] = static_cast<double>(out.size()) / kBatch;
}

void BM_EncodeSpansProto(benchmark::State& state) { Run(state, RpcSpans(), OldSpans); }
void BM_EncodeSpansWire(benchmark::State& state) { Run(state, RpcSpans(), NewSpans); }
void BM_EncodePlainSpansWire(benchmark::State& state) { Run(state, PlainRpcSpans(), NewSpans); }
void BM_EncodeLogsProto(benchmark::State& state) { Run(state, Logs(), OldLogs); }
void BM_EncodeLogsWire(benchmark::State& state) { Run(state, Logs(), NewLogs); }

// One export of the batch per iteration over a kept-alive OTLP/HTTP connection.
template <class Export>
void RunExport(benchmark::State& state, Export export_batch) {
  periscope::testing::OtlpTestSink sink({.parse = false});
  internal::OtlpClient client({.endpoint = "http://" + sink.http_target() + "/v1/traces"},
                              pt::OtlpSignal::kTraces);
  const std::vector<pt::SpanData> spans = RpcSpans();
  std::string buffer;
  if (!export_batch(client, spans, buffer).ok()) state.SkipWithError("export failed");
  const uint64_t allocs0 = g_allocs.load();
  for (auto _ : state) {
    if (!export_batch(client, spans, buffer).ok()) state.SkipWithError("export failed");
  }
  const double n = static_cast<double>(state.iterations()) * kBatch;
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["allocs_per_span"] = static_cast<double>(g_allocs.load() - allocs0) / n;
}

void BM_ExportHttpProto(benchmark::State& state) {
  RunExport(state, [](internal::OtlpClient& client, const std::vector<pt::SpanData>& spans,
                      std::string&) { return client.Export(internal::EncodeSpans(spans)); });
}
void BM_ExportHttpWire(benchmark::State& state) {
  RunExport(state, [](internal::OtlpClient& client, const std::vector<pt::SpanData>& spans,
                      std::string& buffer) {
    internal::EncodeSpansWire(spans, buffer);
    return client.ExportSerialized(buffer);
  });
}

BENCHMARK(BM_EncodeSpansProto);
BENCHMARK(BM_EncodeSpansWire);
BENCHMARK(BM_EncodePlainSpansWire);
BENCHMARK(BM_EncodeLogsProto);
BENCHMARK(BM_EncodeLogsWire);
BENCHMARK(BM_ExportHttpProto);
BENCHMARK(BM_ExportHttpWire);

int Loop(std::string_view which, int batches) {
  const std::vector<pt::SpanData> spans = RpcSpans();
  const std::vector<pt::SpanData> plain = PlainRpcSpans();
  const std::vector<pt::LogRecordData> logs = Logs();
  std::string out;
  size_t total = 0;
  for (int i = 0; i < batches; ++i) {
    if (which == "old") OldSpans(spans, out);
    if (which == "new") NewSpans(spans, out);
    if (which == "plain") NewSpans(plain, out);
    if (which == "old_logs") OldLogs(logs, out);
    if (which == "new_logs") NewLogs(logs, out);
    total += out.size();
  }
  std::printf("bytes=%zu\n", total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strncmp(argv[1], "--loop=", 7) == 0) {
    return Loop(argv[1] + 7, std::atoi(argv[2]));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
