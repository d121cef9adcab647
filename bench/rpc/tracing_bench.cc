// rpc_tracing_bench: CPU cost of tracing one RPC call, client and server side together, as the
// framework does it (CLIENT span with the RPC attributes, its context into the request frame's
// binary trace fields, extraction on the server, SERVER span, status attribute, both spans ended
// into a batch processor whose exporter discards them). Compare with the CPU of an untraced call
// (bench/rpc/run.sh) to get the tracing overhead.
//
// BM_TracedCallSpans uses rpc_bench's service name ("periscope.bench.Bench", longer than the
// small-string buffer, like most real names). BM_TracedCallSpansAndFrames adds what a traced call
// also costs on the wire: the request frame carries the trace fields, encoded by the client and
// decoded by the server. BM_UntracedFrames is that frame work without them.
#include <benchmark/benchmark.h>

#include <chrono>

#include "bench_common.h"
#include "periscope/trace/wall_clock.h"
#include "rpc/frame.h"
#include "rpc/span_util.h"

namespace {

namespace pt = periscope::trace;
namespace rpc = periscope::rpc;

// One provider for every run: its batch queue and the span free lists stay warm from run to run,
// so short runs measure a traced call in a long-running process, not the queue's first growth.
pt::TracerProvider& Provider() {
  static const std::shared_ptr<pt::TracerProvider> provider =
      rpcbench::MakeDiscardingProvider("bench");
  return *provider;
}

// The tracers of both sides, also one for every run, as in a long-running process (span
// templates are made per tracer).
const pt::Tracer& ClientTracer() {
  static const pt::Tracer tracer = Provider().GetTracer("periscope.rpc.client");
  return tracer;
}
const pt::Tracer& ServerTracer() {
  static const pt::Tracer tracer = Provider().GetTracer("periscope.rpc.server");
  return tracer;
}

// One traced call's span work, both sides; with `frames`, also the request frame's encoding and
// decoding (with or without tracing's metadata).
void TracedCall(benchmark::State& state, bool traced, bool frames) {
  const pt::Tracer& client = ClientTracer();
  const pt::Tracer& server = ServerTracer();
  const std::string service = "periscope.bench.Bench";
  const std::string method = "Echo";
  const std::string address = "127.0.0.1";
  const std::string payload = rpcbench::MakePayload(100);
  const pt::Context root;
  rpc::CallContext call;
  call.service = service;
  call.method = method;
  call.peer = "127.0.0.1:40000";
  for (auto _ : state) {
    // The framework reads the steady clock once per call on each side, traced or not; spans
    // take their times from that reading.
    const auto now = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(now);
    pt::UniqueSpan client_span;
    rpc::internal::RequestFrame frame;
    if (traced) {
      rpc::internal::StartClientSpan(client, root, service, method, address, 7000,
                                     pt::WallTimeAt(now), client_span);
      rpc::internal::InjectCallContext(root, &client_span.context(), frame);
    }
    if (frames) {
      frame.id = 1;
      frame.service = service;
      frame.method = method;
      frame.payload = payload;
      rpc::internal::FramePieces pieces = rpc::internal::EncodeFramePieces(std::move(frame));
      std::string body = pieces.head.substr(4) + pieces.payload;
      rpc::Result<rpc::internal::FrameBody> parsed = rpc::internal::ParseFrameBody(body);
      rpc::Result<rpc::internal::RequestFrame> decoded =
          rpc::Decode<rpc::internal::RequestFrame>(parsed->encoded);
      frame = std::move(*decoded);
      benchmark::DoNotOptimize(frame.payload);
    }
    if (traced) {
      call.metadata = std::move(frame.metadata);
      rpc::internal::RemoteParent remote = rpc::internal::ExtractRemoteParent(frame, call.metadata);
      const pt::Timestamp wall = pt::WallTimeAt(now);
      auto server_span = rpc::internal::StartServerSpan(server, remote, call, wall);
      call.trace_context = rpc::internal::ServerContext(std::move(remote), server_span);
      rpc::internal::FinishSpan(server_span, rpc::Status(), wall);
      rpc::internal::FinishSpan(client_span, rpc::Status(), wall);
      benchmark::DoNotOptimize(server_span);
    }
  }
}

void BM_TracedCallSpans(benchmark::State& state) { TracedCall(state, true, false); }
void BM_TracedCallSpansAndFrames(benchmark::State& state) { TracedCall(state, true, true); }
void BM_UntracedFrames(benchmark::State& state) { TracedCall(state, false, true); }

// Process CPU time: the batch worker thread that takes the ended spans counts too.
BENCHMARK(BM_TracedCallSpans)->MeasureProcessCPUTime();
BENCHMARK(BM_TracedCallSpansAndFrames)->MeasureProcessCPUTime();
BENCHMARK(BM_UntracedFrames)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
