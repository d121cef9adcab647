#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/rpc/status.h"
#include "rpc/frame.h"

namespace periscope::rpc::internal {

// Splits the byte stream of a connection into frame bodies: the reader appends what one socket
// read returned (Prepare + Commit) and takes out every whole frame that is buffered (Next), so
// one read serves many small frames. Frames over the direct threshold are read straight into a
// separate large-frame buffer (TakeLarge + CommitLarge), which is kept for the next large frame
// (no allocation, no page faults per frame) while it is at most `retain_limit` bytes and in use:
// a bigger one is freed once its frame was taken, and Tick frees one unused since the previous
// Tick. Retained memory per connection: the read buffer (capacity, grown up to direct_threshold)
// plus at most retain_limit. Not synchronised (one reader, on the transport's strand).
class FrameBuffer {
 public:
  static constexpr size_t kDefaultRetainLimit = 4 << 20;

  // `capacity` is the size of one read; frames longer than `direct_threshold` are read straight
  // into the large-frame buffer (TakeLarge) instead of through the read buffer.
  explicit FrameBuffer(size_t capacity = 64 << 10, size_t direct_threshold = kLargeFrameBytes,
                       size_t retain_limit = kDefaultRetainLimit);

  // The next whole frame body (without its length prefix), or nullopt when more bytes are
  // needed. The view points into the buffer and stays valid until the next Next, Prepare or
  // TakeLarge. INVALID_ARGUMENT for a length of 0, RESOURCE_EXHAUSTED over max_frame_size
  // (checked as soon as the length prefix is buffered, before the body arrives).
  Result<std::optional<std::string_view>> Next(size_t max_frame_size);
  // True when Next has something to return without another read: a whole frame, or an error.
  bool Ready(size_t max_frame_size) const;

  // After Next returned nullopt: the announced body length of a frame whose prefix is buffered
  // but not its whole body; 0 when not even the prefix is complete.
  size_t pending_length() const;
  // True when the pending frame should be read directly into the large-frame buffer.
  bool pending_is_large() const { return pending_length() > direct_threshold_; }
  // Starts reading the pending frame into the large-frame buffer (reused when big enough; never
  // zero-filled): copies the bytes already buffered there, empties the read buffer and returns
  // the rest of the body, which the caller reads into before CommitLarge.
  std::span<char> TakeLarge();
  // The rest of the large frame was read: Next returns it first.
  void CommitLarge();

  // Room for the next read (compacts the buffer first when needed); never empty.
  std::span<char> Prepare();
  // Marks n bytes written into the span Prepare returned as received.
  void Commit(size_t n) { end_ += n; }

  // Bytes received but not yet returned as frames.
  size_t buffered() const { return end_ - begin_; }

  // Frees the large-frame buffer when no large frame used it since the previous Tick (and none
  // is being read or handed out). Call periodically; returns true while a buffer is retained.
  bool Tick();
  // Bytes held by the large-frame buffer.
  size_t large_capacity() const { return large_capacity_; }

 private:
  enum class LargeState { kNone, kReading, kReady, kReturned };
  // Ends the frame Next handed out last, if it was a large one: frees its buffer when over the
  // retain limit.
  void EndLarge();

  std::vector<char> data_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last received byte
  size_t direct_threshold_;
  size_t retain_limit_;
  std::unique_ptr<char[]> large_;  // the large-frame buffer, default-initialised
  size_t large_capacity_ = 0;
  size_t large_size_ = 0;  // body length of the large frame being read or handed out
  LargeState large_state_ = LargeState::kNone;
  bool large_used_ = false;  // a large frame used the buffer since the last Tick
};

}  // namespace periscope::rpc::internal
