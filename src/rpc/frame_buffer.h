#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/rpc/status.h"

namespace periscope::rpc::internal {

// Splits the byte stream of a connection into frame bodies: the reader appends what one socket
// read returned (Prepare + Commit) and takes out every whole frame that is buffered (Next), so
// one read serves many small frames. Not synchronised (one reader, on the transport's strand).
class FrameBuffer {
 public:
  // `capacity` is the size of one read; frames longer than `direct_threshold` are read straight
  // into their own body (TakePartial) instead of through the buffer.
  explicit FrameBuffer(size_t capacity = 64 << 10, size_t direct_threshold = 32 << 10);

  // The next whole frame body (without its length prefix), or nullopt when more bytes are
  // needed. The view points into the buffer and stays valid until the next Prepare or
  // TakePartial. INVALID_ARGUMENT for a length of 0, RESOURCE_EXHAUSTED over max_frame_size
  // (checked as soon as the length prefix is buffered, before the body arrives).
  Result<std::optional<std::string_view>> Next(size_t max_frame_size);
  // True when Next has something to return without another read: a whole frame, or an error.
  bool Ready(size_t max_frame_size) const;

  // After Next returned nullopt: the announced body length of a frame whose prefix is buffered
  // but not its whole body; 0 when not even the prefix is complete.
  size_t pending_length() const;
  // True when the pending frame should be read directly into its body (see TakePartial).
  bool pending_is_large() const { return pending_length() > direct_threshold_; }
  // Takes the pending frame's body: a string of pending_length() bytes whose first `have` bytes
  // are the ones already buffered; the caller reads the rest into it. Empties the buffer.
  std::string TakePartial(size_t& have);

  // Room for the next read (compacts the buffer first when needed); never empty.
  std::span<char> Prepare();
  // Marks n bytes written into the span Prepare returned as received.
  void Commit(size_t n) { end_ += n; }

  // Bytes received but not yet returned as frames.
  size_t buffered() const { return end_ - begin_; }

 private:
  std::vector<char> data_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last received byte
  size_t direct_threshold_;
};

}  // namespace periscope::rpc::internal
