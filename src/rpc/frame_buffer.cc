#include "rpc/frame_buffer.h"

#include <algorithm>
#include <cstring>

#include "rpc/frame.h"

namespace periscope::rpc::internal {
namespace {

uint32_t LengthAt(const char* p) {
  uint32_t len = 0;
  for (size_t i = 0; i < kFrameHeaderSize; ++i) {
    len |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return len;
}

}  // namespace

FrameBuffer::FrameBuffer(size_t capacity, size_t direct_threshold, size_t retain_limit)
    : data_(std::max<size_t>(capacity, kFrameHeaderSize * 2)),
      direct_threshold_(direct_threshold),
      retain_limit_(retain_limit) {}

Result<std::optional<std::string_view>> FrameBuffer::Next(size_t max_frame_size) {
  if (large_state_ == LargeState::kReady) [[unlikely]] {
    large_state_ = LargeState::kReturned;
    return std::optional<std::string_view>(std::string_view(large_.get(), large_size_));
  }
  if (large_state_ == LargeState::kReturned) [[unlikely]] {
    EndLarge();
  }
  if (buffered() < kFrameHeaderSize) return std::optional<std::string_view>();
  const uint32_t len = LengthAt(data_.data() + begin_);
  Status st = CheckFrameLength(len, max_frame_size);
  if (!st.ok()) return st;
  if (buffered() - kFrameHeaderSize < len) return std::optional<std::string_view>();
  std::string_view frame(data_.data() + begin_ + kFrameHeaderSize, len);
  begin_ += kFrameHeaderSize + len;
  // Positions only: the bytes stay where they are until the next Prepare.
  if (begin_ == end_) begin_ = end_ = 0;
  return std::optional<std::string_view>(frame);
}

bool FrameBuffer::Ready(size_t max_frame_size) const {
  if (large_state_ == LargeState::kReady) return true;
  if (buffered() < kFrameHeaderSize) return false;
  const uint32_t len = LengthAt(data_.data() + begin_);
  return !CheckFrameLength(len, max_frame_size).ok() || buffered() - kFrameHeaderSize >= len;
}

size_t FrameBuffer::pending_length() const {
  if (buffered() < kFrameHeaderSize) return 0;
  return LengthAt(data_.data() + begin_);
}

std::span<char> FrameBuffer::TakeLarge() {
  EndLarge();
  const size_t len = pending_length();
  if (large_capacity_ < len) {
    large_.reset();  // before the new one: never both
    large_capacity_ = 0;
    large_ = std::make_unique_for_overwrite<char[]>(len);  // not zero-filled: the read fills it
    large_capacity_ = len;
  }
  const size_t have = std::min(buffered() - kFrameHeaderSize, len);
  std::memcpy(large_.get(), data_.data() + begin_ + kFrameHeaderSize, have);
  begin_ = end_ = 0;
  large_size_ = len;
  large_state_ = LargeState::kReading;
  large_used_ = true;
  return std::span<char>(large_.get() + have, len - have);
}

void FrameBuffer::CommitLarge() { large_state_ = LargeState::kReady; }

void FrameBuffer::EndLarge() {
  if (large_state_ == LargeState::kReturned && large_capacity_ > retain_limit_) {
    large_.reset();
    large_capacity_ = 0;
  }
  large_state_ = LargeState::kNone;
}

bool FrameBuffer::Tick() {
  if (large_state_ == LargeState::kNone && !large_used_) {
    large_.reset();
    large_capacity_ = 0;
  }
  large_used_ = false;
  return large_capacity_ > 0;
}

std::span<char> FrameBuffer::Prepare() {
  if (large_state_ == LargeState::kReturned) EndLarge();
  // A pending frame that fits in the buffer must find room for its whole body.
  const size_t need = std::max(pending_length() + kFrameHeaderSize, size_t{1});
  if (need > data_.size() && need <= direct_threshold_ + kFrameHeaderSize) data_.resize(need);
  if (begin_ > 0 && (data_.size() - end_ < need - std::min(need, buffered()) ||
                     data_.size() - end_ < data_.size() / 4)) {
    std::memmove(data_.data(), data_.data() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == data_.size()) data_.resize(data_.size() * 2);
  return std::span<char>(data_.data() + end_, data_.size() - end_);
}

}  // namespace periscope::rpc::internal
