#include "rpc/stream_core.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "periscope/rpc/stream.h"
#include "rpc/frame.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// Waits until `timer` is cancelled (a notification). True when the waiting coroutine itself was
// cancelled rather than notified.
awaitable<bool> WaitNotified(asio::steady_timer& timer) {
  timer.expires_at(asio::steady_timer::time_point::max());
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

Status CancelledByCaller() { return Status(StatusCode::kCancelled, "cancelled by the caller"); }

}  // namespace

StreamCore::StreamCore(std::shared_ptr<Transport> transport, uint64_t id, bool client_side,
                       uint32_t recv_window, uint64_t initial_credit)
    : transport_(std::move(transport)),
      strand_(transport_->executor()),
      id_(id),
      client_side_(client_side),
      recv_window_(std::max<uint32_t>(1, recv_window)),
      credit_(initial_credit),
      read_wake_(strand_),
      write_wake_(strand_),
      final_wake_(strand_) {}

awaitable<Result<std::optional<std::string>>> StreamCore::Read() {
  std::optional<Result<std::optional<std::string>>> r =
      co_await asio::co_spawn(strand_, DoRead(), use_awaitable);
  co_return std::move(*r);
}

awaitable<Status> StreamCore::Write(std::string payload) {
  co_return co_await asio::co_spawn(strand_, DoWrite(std::move(payload)), use_awaitable);
}

awaitable<Result<std::string>> StreamCore::AwaitFinal() {
  std::optional<Result<std::string>> r =
      co_await asio::co_spawn(strand_, DoAwaitFinal(), use_awaitable);
  co_return std::move(*r);
}

awaitable<Status> StreamCore::CloseSend() {
  co_return co_await asio::co_spawn(strand_, DoCloseSend(), use_awaitable);
}

awaitable<Status> StreamCore::DoCloseSend() {
  auto self = shared_from_this();
  SendHalfClose();
  co_return Status::Ok();
}

void StreamCore::Cancel(Status why) {
  asio::dispatch(strand_, [self = shared_from_this(), why = std::move(why)]() mutable {
    self->CancelOnStrand(std::move(why));
  });
}

awaitable<std::optional<Result<std::optional<std::string>>>> StreamCore::DoRead() {
  auto self = shared_from_this();
  while (inbox_.empty() && !final_ && !peer_done_) {
    if (co_await WaitNotified(read_wake_)) {
      CancelOnStrand(CancelledByCaller());
      co_return Result<std::optional<std::string>>(CancelledByCaller());
    }
  }
  if (!inbox_.empty()) {
    std::string message = std::move(inbox_.front());
    inbox_.pop_front();
    if (!final_ && ++consumed_ >= std::max<uint32_t>(1, recv_window_ / 2)) {
      transport_->Send(EncodeControlFrame(FrameKind::kCredit, id_, consumed_));
      consumed_ = 0;
    }
    co_return Result<std::optional<std::string>>(std::optional<std::string>(std::move(message)));
  }
  if (final_ && !final_->ok()) co_return Result<std::optional<std::string>>(*final_);
  co_return Result<std::optional<std::string>>(std::optional<std::string>());
}

awaitable<Status> StreamCore::DoWrite(std::string payload) {
  auto self = shared_from_this();
  if (client_side_ && send_closed_) {
    co_return Status(StatusCode::kFailedPrecondition, "write after CloseSend");
  }
  while (credit_ == 0 && !final_) {
    if (co_await WaitNotified(write_wake_)) {
      CancelOnStrand(CancelledByCaller());
      co_return CancelledByCaller();
    }
  }
  if (final_) {
    co_return final_->ok() ? Status(StatusCode::kFailedPrecondition, "the call has ended")
                           : *final_;
  }
  --credit_;
  MessageFrame frame{id_, std::move(payload)};
  FramePieces pieces = EncodeFramePieces(std::move(frame));
  transport_->Send(std::move(pieces.head), std::move(pieces.payload));
  co_return Status::Ok();
}

awaitable<std::optional<Result<std::string>>> StreamCore::DoAwaitFinal() {
  auto self = shared_from_this();
  SendHalfClose();
  while (!final_) {
    if (co_await WaitNotified(final_wake_)) {
      CancelOnStrand(CancelledByCaller());
      co_return Result<std::string>(CancelledByCaller());
    }
  }
  if (!final_->ok()) co_return Result<std::string>(*final_);
  co_return Result<std::string>(final_payload_);
}

void StreamCore::SendHalfClose() {
  if (!client_side_ || send_closed_ || final_) return;
  send_closed_ = true;
  transport_->Send(EncodeControlFrame(FrameKind::kHalfClose, id_));
}

void StreamCore::CancelOnStrand(Status why) {
  if (final_) return;
  Finish(why, {}, /*discard=*/true);
  if (on_cancel) on_cancel(why);
}

Status StreamCore::OnMessage(std::string payload) {
  if (final_) return Status::Ok();  // a message that crossed our cancel
  if (inbox_.size() >= recv_window_) {
    return ResourceExhaustedError("stream message beyond the granted credit of " +
                                  std::to_string(recv_window_));
  }
  inbox_.push_back(std::move(payload));
  read_wake_.cancel();
  return Status::Ok();
}

void StreamCore::OnCredit(uint64_t n) {
  credit_ += std::min<uint64_t>(n, 1u << 20);
  write_wake_.cancel();
}

void StreamCore::OnHalfClose() {
  peer_done_ = true;
  read_wake_.cancel();
}

void StreamCore::Finish(Status status, std::string payload, bool discard) {
  if (final_) return;
  final_ = std::move(status);
  final_payload_ = std::move(payload);
  if (discard) inbox_.clear();
  read_wake_.cancel();
  write_wake_.cancel();
  final_wake_.cancel();
  if (on_finish) {
    auto hook = std::move(on_finish);
    on_finish = nullptr;
    hook(*final_);
  }
}

}  // namespace periscope::rpc::internal

namespace periscope::rpc {

namespace asio = boost::asio;

asio::awaitable<Result<std::optional<std::string>>> RawStream::Read() const {
  std::shared_ptr<internal::StreamCore> core = core_;
  if (!core) co_return Status(StatusCode::kFailedPrecondition, "empty stream");
  co_return co_await core->Read();
}

asio::awaitable<Status> RawStream::Write(std::string payload) const {
  std::shared_ptr<internal::StreamCore> core = core_;
  if (!core) co_return Status(StatusCode::kFailedPrecondition, "empty stream");
  co_return co_await core->Write(std::move(payload));
}

asio::awaitable<Status> RawStream::CloseSend() const {
  std::shared_ptr<internal::StreamCore> core = core_;
  if (!core) co_return Status(StatusCode::kFailedPrecondition, "empty stream");
  co_return co_await core->CloseSend();
}

asio::awaitable<Result<std::string>> RawStream::Finish() const {
  std::shared_ptr<internal::StreamCore> core = core_;
  if (!core) co_return Status(StatusCode::kFailedPrecondition, "empty stream");
  co_return co_await core->AwaitFinal();
}

void RawStream::Cancel() const {
  if (core_) core_->Cancel(internal::CancelledByCaller());
}

}  // namespace periscope::rpc
