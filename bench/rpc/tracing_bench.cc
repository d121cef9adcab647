// rpc_tracing_bench: CPU cost of tracing one RPC call, client and server side together, as the
// framework does it (CLIENT span with the RPC attributes, W3C context into the call metadata,
// extraction on the server, SERVER span, status attribute, both spans ended into a batch
// processor whose exporter discards them). Compare with the CPU of an untraced call
// (bench/rpc/run.sh) to get the tracing overhead.
#include <benchmark/benchmark.h>

#include "bench_common.h"
#include "rpc/span_util.h"

namespace {

namespace pt = periscope::trace;
namespace rpc = periscope::rpc;

void BM_TracedCallSpans(benchmark::State& state) {
  auto provider = rpcbench::MakeDiscardingProvider("bench");
  const pt::Tracer client = provider->GetTracer("periscope.rpc.client");
  const pt::Tracer server = provider->GetTracer("periscope.rpc.server");
  const std::string service = "bench.Echo";
  const std::string method = "Echo";
  const std::string address = "127.0.0.1";
  const pt::Context root;
  rpc::CallContext call;
  call.service = service;
  call.method = method;
  call.peer = "127.0.0.1:40000";
  for (auto _ : state) {
    auto client_span = rpc::internal::StartClientSpan(client, root, service, method, address, 7000);
    rpc::Metadata metadata;
    rpc::internal::InjectContext(root.WithSpan(client_span), metadata);
    call.metadata = std::move(metadata);
    rpc::internal::RemoteParent remote = rpc::internal::ExtractRemoteParent(call.metadata);
    auto server_span = rpc::internal::StartServerSpan(server, remote, call);
    call.trace_context = rpc::internal::ServerContext(remote, server_span);
    rpc::internal::FinishSpan(server_span, rpc::Status());
    rpc::internal::FinishSpan(client_span, rpc::Status());
    benchmark::DoNotOptimize(server_span);
  }
  provider->Shutdown();
}
// Process CPU time: the batch worker thread that takes the ended spans counts too.
BENCHMARK(BM_TracedCallSpans)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
