#include "rpc/frame.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <vector>

namespace periscope::rpc::internal {
namespace {

template <class T>
std::string Frame(FrameKind kind, const T& frame) {
  std::string out(kFrameHeaderSize, '\0');
  out.push_back(static_cast<char>(kind));
  EncodeTo(frame, out);
  uint32_t len = static_cast<uint32_t>(out.size() - kFrameHeaderSize);
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
  return out;
}

}  // namespace

std::string EncodeFrame(const RequestFrame& frame) { return Frame(FrameKind::kRequest, frame); }
std::string EncodeFrame(const ResponseFrame& frame) { return Frame(FrameKind::kResponse, frame); }

Result<FrameBody> ParseFrameBody(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("empty frame");
  auto kind = static_cast<uint8_t>(body[0]);
  if (kind != static_cast<uint8_t>(FrameKind::kRequest) &&
      kind != static_cast<uint8_t>(FrameKind::kResponse)) {
    return InvalidArgumentError("unknown frame kind " + std::to_string(kind));
  }
  return FrameBody{static_cast<FrameKind>(kind), body.substr(1)};
}

boost::asio::awaitable<Result<std::string>> ReadFrame(Socket& socket, size_t max_frame_size) {
  using boost::asio::redirect_error;
  using boost::asio::use_awaitable;
  uint8_t header[kFrameHeaderSize];
  boost::system::error_code ec;
  co_await boost::asio::async_read(socket, boost::asio::buffer(header),
                                   redirect_error(use_awaitable, ec));
  if (ec) {
    co_return UnavailableError(ec == boost::asio::error::eof ? "connection closed by peer"
                                                             : "read failed: " + ec.message());
  }
  uint32_t len = 0;
  for (size_t i = 0; i < kFrameHeaderSize; ++i) len |= static_cast<uint32_t>(header[i]) << (8 * i);
  if (len == 0) co_return InvalidArgumentError("frame of length 0");
  if (len > max_frame_size) {
    co_return ResourceExhaustedError("frame of " + std::to_string(len) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(max_frame_size));
  }
  std::string body(len, '\0');
  co_await boost::asio::async_read(socket, boost::asio::buffer(body),
                                   redirect_error(use_awaitable, ec));
  if (ec) {
    co_return UnavailableError(ec == boost::asio::error::eof ? "connection closed mid-frame"
                                                             : "read failed: " + ec.message());
  }
  co_return body;
}

void FrameWriter::Send(std::string frame, std::shared_ptr<void> owner) {
  if (close_after_flush_) return;
  queue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    boost::asio::co_spawn(socket_.get_executor(), WriteLoop(std::move(owner)),
                          boost::asio::detached);
  }
}

void FrameWriter::CloseAfterFlush(std::shared_ptr<void> owner) {
  close_after_flush_ = true;
  if (!writing_) {
    CloseSocket(socket_);
  }
  (void)owner;
}

boost::asio::awaitable<void> FrameWriter::WriteLoop(std::shared_ptr<void> owner) {
  std::vector<std::string> batch;
  std::vector<boost::asio::const_buffer> buffers;
  while (!queue_.empty()) {
    batch.clear();
    buffers.clear();
    while (!queue_.empty() && batch.size() < 64) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    for (const auto& f : batch) buffers.push_back(boost::asio::buffer(f));
    boost::system::error_code ec;
    co_await boost::asio::async_write(socket_, buffers,
                                      boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) {
      queue_.clear();
      CloseSocket(socket_);
      break;
    }
  }
  writing_ = false;
  if (close_after_flush_) CloseSocket(socket_);
  (void)owner;
}

void CloseSocket(Socket& socket) {
  boost::system::error_code ec;
  if (!socket.is_open()) return;
  socket.shutdown(Socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace periscope::rpc::internal
