#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "periscope/rpc/status.h"
#include "rpc/transport.h"

namespace periscope::rpc::internal {

// The state of one streaming call at one end of a connection: messages received and not yet
// read (at most `recv_window`), credit to send, and the final status once known. The same class
// serves the client and the server end. Methods named On* and Finish are called by the
// connection on its strand; the awaitables hop onto that strand themselves; Cancel is
// thread-safe.
class StreamCore : public std::enable_shared_from_this<StreamCore> {
 public:
  StreamCore(std::shared_ptr<Transport> transport, uint64_t id, bool client_side,
             uint32_t recv_window, uint64_t initial_credit);

  boost::asio::awaitable<Result<std::optional<std::string>>> Read();
  boost::asio::awaitable<Status> Write(std::string payload);
  boost::asio::awaitable<Status> CloseSend();
  boost::asio::awaitable<Result<std::string>> AwaitFinal();
  void Cancel(Status why);

  // A message from the peer; RESOURCE_EXHAUSTED when the peer sent beyond its credit.
  Status OnMessage(std::string payload);
  void OnCredit(uint64_t n);
  void OnHalfClose();
  // Ends the call with a status (and the reply payload of a client stream). With `discard`,
  // unread messages are dropped; otherwise they are still returned before the status.
  void Finish(Status status, std::string payload, bool discard);

  // Called once on the strand when the call ends, with its final status.
  std::function<void(const Status&)> on_finish;
  // Called on the strand when the local side gives up (Cancel or a cancelled Read/Write):
  // the client sends a CANCEL frame, the server cancels the handler.
  std::function<void(const Status&)> on_cancel;

  uint64_t id() const { return id_; }
  bool finished() const { return final_.has_value(); }
  boost::asio::any_io_executor executor() { return strand_; }

 private:
  // The Do* coroutines run on the strand; optional<> because co_spawn needs a default value.
  boost::asio::awaitable<std::optional<Result<std::optional<std::string>>>> DoRead();
  boost::asio::awaitable<Status> DoWrite(std::string payload);
  boost::asio::awaitable<Status> DoCloseSend();
  boost::asio::awaitable<std::optional<Result<std::string>>> DoAwaitFinal();
  void CancelOnStrand(Status why);
  void SendHalfClose();

  std::shared_ptr<Transport> transport_;
  boost::asio::any_io_executor strand_;
  uint64_t id_;
  bool client_side_;
  uint32_t recv_window_;
  uint64_t credit_;
  uint32_t consumed_ = 0;  // messages read since credit was last granted
  std::deque<std::string> inbox_;
  bool peer_done_ = false;  // the peer half-closed (server end)
  bool send_closed_ = false;
  std::optional<Status> final_;
  std::string final_payload_;
  boost::asio::steady_timer read_wake_;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer final_wake_;
};

}  // namespace periscope::rpc::internal
