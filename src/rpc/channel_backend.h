#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "periscope/rpc/call.h"
#include "periscope/rpc/channel.h"
#include "periscope/rpc/status.h"
#include "periscope/rpc/stream.h"

namespace periscope::rpc::internal {

// Outcome of one unary call. `sent` is false when the request never left this process (no
// connection), which makes even a non-idempotent call safe to retry.
struct RawReply {
  Status status;
  std::string payload;
  bool sent = true;
};

// What a Channel handle points at: one connection, or a pool of them. Thread-safe.
class ChannelBackend {
 public:
  virtual ~ChannelBackend() = default;
  virtual boost::asio::awaitable<RawReply> Call(std::shared_ptr<CallRequest> request) = 0;
  // Call, answered as Channel::CallRaw answers: the reply's payload or its status. `self` is
  // this backend (kept alive by the returned awaitable). The default awaits Call; a connection
  // answers in the same coroutine frame.
  virtual boost::asio::awaitable<Result<std::string>> CallPayload(
      std::shared_ptr<ChannelBackend> self, std::shared_ptr<CallRequest> request);
  // Opens a streaming call; failures to start are reported by the stream's first operation.
  virtual boost::asio::awaitable<RawStream> OpenStream(std::shared_ptr<CallRequest> request) = 0;
  virtual void Close() = 0;
  virtual bool is_open() const = 0;
  // Calls and streams in flight.
  virtual size_t in_flight() const = 0;
  // Streams in flight (for least-loaded balancing).
  virtual size_t open_streams() const = 0;
};

// The absolute deadline of a call: the earliest of options.deadline, now + options.timeout and
// the parent call's deadline (options.parent, else CurrentCall()).
std::optional<trace::Timestamp> ResolveDeadline(const CallOptions& options);
// The same with the time now already known (used only with options.timeout).
std::optional<trace::Timestamp> ResolveDeadline(const CallOptions& options, trace::Timestamp now);
// options.parent, else CurrentCall().
const CallContext* ResolveParent(const CallOptions& options);

}  // namespace periscope::rpc::internal
