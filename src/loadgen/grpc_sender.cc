#include "loadgen/grpc_sender.h"

#include <grpc/support/time.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "base/time.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::loadgen {
namespace {

using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr int64_t kCallTimeoutNs = 30 * kNanosPerSecond;
constexpr int64_t kIdlePollNs = 20 * kNanosPerMilli;

// One slot's channel and its current call.
struct GrpcSlot {
  std::unique_ptr<grpc::GenericStub> stub;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  grpc::ByteBuffer response;
  grpc::Status status;
  bool in_flight = false;
  int64_t sent_ns = 0;
  int64_t not_before_ns = 0;
};

uint64_t RejectedSpans(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return 0;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  ExportTraceServiceResponse response;
  if (!response.ParseFromString(bytes)) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(0, response.partial_success().rejected_spans()));
}

gpr_timespec MonotonicDeadline(int64_t delta_ns) {
  return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                      gpr_time_from_nanos(std::max<int64_t>(0, delta_ns), GPR_TIMESPAN));
}

}  // namespace

Status RunGrpcLoad(const std::string& target, std::vector<SendSlot>& slots, LoadRun& run) {
  grpc::CompletionQueue cq;
  std::vector<GrpcSlot> calls(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a TCP connection per slot
    args.SetInt("periscope.load.connection", static_cast<int>(i));
    args.SetMaxReceiveMessageSize(-1);
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    calls[i].stub = std::make_unique<grpc::GenericStub>(channel);
  }

  auto issue = [&](size_t i) {
    GrpcSlot& call = calls[i];
    slots[i].Prepare(NowNanos());
    grpc::Slice slice(slots[i].wire().data(), slots[i].wire().size());
    grpc::ByteBuffer request(&slice, 1);
    call.context = std::make_unique<grpc::ClientContext>();
    call.context->set_deadline(MonotonicDeadline(kCallTimeoutNs));
    call.response.Clear();
    call.sent_ns = MonotonicNanos();
    call.reader = call.stub->PrepareUnaryCall(call.context.get(), kExportMethod, request, &cq);
    call.reader->StartCall();
    call.reader->Finish(&call.response, &call.status, reinterpret_cast<void*>(i));
    call.in_flight = true;
    run.OnSend();
  };

  for (;;) {
    int64_t now = MonotonicNanos();
    int64_t wake = std::numeric_limits<int64_t>::max();
    bool stopping = false;
    for (size_t i = 0; i < calls.size() && !stopping; ++i) {
      if (calls[i].in_flight) continue;
      if (now < calls[i].not_before_ns) {
        wake = std::min(wake, calls[i].not_before_ns);
        continue;
      }
      std::optional<int64_t> next = run.NextSendTime(now);
      if (!next) {
        stopping = true;
      } else if (*next <= now) {
        issue(i);
      } else {
        wake = std::min(wake, *next);
      }
    }
    if (run.in_flight() == 0 && !run.NextSendTime(now)) break;

    int64_t wait = wake == std::numeric_limits<int64_t>::max() ? kIdlePollNs : wake - now;
    void* tag;
    bool ok;
    auto next = cq.AsyncNext(&tag, &ok, MonotonicDeadline(std::min(wait, kIdlePollNs)));
    if (next == grpc::CompletionQueue::SHUTDOWN) return Status::Internal("completion queue shut");
    if (next != grpc::CompletionQueue::GOT_EVENT) continue;
    size_t i = reinterpret_cast<size_t>(tag);
    GrpcSlot& call = calls[i];
    call.in_flight = false;
    int64_t done = MonotonicNanos();
    if (ok && call.status.ok()) {
      uint64_t spans = slots[i].spans();
      run.OnSuccess(spans - std::min<uint64_t>(spans, RejectedSpans(call.response)),
                    slots[i].wire().size(), done - call.sent_ns);
    } else {
      run.OnFailure(ok ? "gRPC " + std::to_string(call.status.error_code()) + ": " +
                             call.status.error_message()
                       : "gRPC call failed");
      call.not_before_ns = done + LoadRun::kRetryBackoffNs;
    }
  }
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return Status::Ok();
}

}  // namespace periscope::loadgen
