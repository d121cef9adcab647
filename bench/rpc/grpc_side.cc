#include "grpc_side.h"

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "bench.grpc.pb.h"

namespace rpcbench {
namespace {

namespace pt = periscope::trace;
using periscope::bench::Bench;
using periscope::bench::EchoReply;
using periscope::bench::EchoRequest;

constexpr int kMaxMessageBytes = 64 << 20;

std::shared_ptr<pt::Span> StartSpan(const pt::Tracer& tracer, pt::SpanKind kind,
                                    const pt::Context& parent) {
  pt::StartSpanOptions options;
  options.kind = kind;
  options.parent = parent;
  options.attributes.emplace_back("rpc.system", "grpc");
  options.attributes.emplace_back("rpc.service", "periscope.bench.Bench");
  options.attributes.emplace_back("rpc.method", "Echo");
  return tracer.StartSpan("periscope.bench.Bench/Echo", std::move(options));
}

class BenchService final : public Bench::CallbackService {
 public:
  explicit BenchService(std::optional<pt::Tracer> tracer) : tracer_(std::move(tracer)) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoRequest* request,
                                 EchoReply* reply) override {
    std::shared_ptr<pt::Span> span;
    if (tracer_) {
      const auto& metadata = context->client_metadata();
      pt::CallbackCarrier carrier(
          [&metadata](std::string_view key) -> std::optional<std::string> {
            auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
            if (it == metadata.end()) return std::nullopt;
            return std::string(it->second.data(), it->second.size());
          },
          nullptr);
      span = StartSpan(*tracer_, pt::SpanKind::kServer, pt::ExtractToContext(carrier));
    }
    reply->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    if (span) span->End();
    return reactor;
  }

 private:
  std::optional<pt::Tracer> tracer_;
};

// One outstanding client call; the completion queue tag.
struct PendingCall {
  grpc::ClientContext context;
  EchoRequest request;
  EchoReply reply;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<EchoReply>> rpc;
  std::shared_ptr<pt::Span> span;
  BenchClock::time_point start;
};

std::unique_ptr<PendingCall> StartCall(Bench::Stub& stub, grpc::CompletionQueue& cq,
                                       const std::string& payload,
                                       const std::optional<pt::Tracer>& tracer) {
  auto call = std::make_unique<PendingCall>();
  call->request.set_payload(payload);
  call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (tracer) {
    call->span = StartSpan(*tracer, pt::SpanKind::kClient, pt::Context());
    pt::CallbackCarrier carrier(nullptr, [&call](std::string_view key, std::string_view value) {
      call->context.AddMetadata(std::string(key), std::string(value));
    });
    pt::GetGlobalPropagator()->Inject(pt::Context().WithSpan(call->span), carrier);
  }
  call->start = BenchClock::now();
  call->rpc = stub.PrepareAsyncEcho(&call->context, call->request, &cq);
  call->rpc->StartCall();
  call->rpc->Finish(&call->reply, &call->status, call.get());
  return call;
}

}  // namespace

int ServeGrpc(const std::string& port_file, std::optional<pt::Tracer> tracer) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before gRPC starts threads; sigwait below
  BenchService service(std::move(tracer));
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "grpc: cannot listen\n");
    return 1;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << port << "\n";
  }
  std::filesystem::rename(port_file + ".tmp", port_file);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}

std::string RunGrpcClient(const ClientSettings& settings, std::optional<pt::Tracer> tracer) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  auto channel = grpc::CreateCustomChannel(settings.host + ":" + std::to_string(settings.port),
                                           grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return "error grpc channel did not connect";
  }
  std::unique_ptr<Bench::Stub> stub = Bench::NewStub(channel);
  grpc::CompletionQueue cq;
  const std::string payload = MakePayload(settings.payload_bytes);
  const auto from = BenchClock::now() + settings.warmup;
  LatencyRecorder recorder(from, from + settings.duration);
  uint64_t failures = 0;
  std::string error;
  size_t outstanding = 0;
  for (size_t i = 0; i < settings.concurrency; ++i) {
    StartCall(*stub, cq, payload, tracer).release();
    ++outstanding;
  }
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && cq.Next(&tag, &ok)) {
    std::unique_ptr<PendingCall> call(static_cast<PendingCall*>(tag));
    --outstanding;
    const auto end = BenchClock::now();
    if (call->span) {
      if (!call->status.ok()) call->span->SetStatus(pt::StatusCode::kError, "failed");
      call->span->End();
    }
    if (!ok || !call->status.ok() || call->reply.payload().size() != payload.size()) {
      ++failures;
      if (error.empty()) error = call->status.error_message();
    } else {
      recorder.Add(call->start, end);
    }
    if (recorder.running(end)) {
      StartCall(*stub, cq, payload, tracer).release();
      ++outstanding;
    }
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (recorder.running(BenchClock::now())) return "error " + error;
  return recorder.Summary(failures);
}

}  // namespace rpcbench
