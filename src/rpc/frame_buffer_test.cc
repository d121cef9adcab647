#include "rpc/frame_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "rpc/frame.h"

namespace periscope::rpc::internal {
namespace {

std::string Prefixed(std::string_view body) {
  std::string out(kFrameHeaderSize, '\0');
  const auto len = static_cast<uint32_t>(body.size());
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
  out.append(body);
  return out;
}

// Feeds bytes as one socket read would deliver them (at most what Prepare offers).
void Feed(FrameBuffer& buffer, std::string_view bytes) {
  while (!bytes.empty()) {
    std::span<char> room = buffer.Prepare();
    ASSERT_FALSE(room.empty());
    const size_t n = std::min(room.size(), bytes.size());
    std::memcpy(room.data(), bytes.data(), n);
    buffer.Commit(n);
    bytes.remove_prefix(n);
  }
}

std::vector<std::string> Drain(FrameBuffer& buffer) {
  std::vector<std::string> frames;
  for (;;) {
    Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) return frames;
    frames.emplace_back(**next);
  }
}

TEST(FrameBufferTest, SeveralFramesInOneRead) {
  FrameBuffer buffer;
  Feed(buffer, Prefixed("one") + Prefixed("two") + Prefixed("three"));
  EXPECT_EQ(Drain(buffer), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(buffer.buffered(), 0u);
}

TEST(FrameBufferTest, FrameSplitAcrossReadsAtEveryByte) {
  const std::string stream = Prefixed("hello") + Prefixed(std::string(300, 'x'));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameBuffer buffer(64, 32);
    std::vector<std::string> frames;
    Feed(buffer, std::string_view(stream).substr(0, cut));
    for (std::string& f : Drain(buffer)) frames.push_back(std::move(f));
    Feed(buffer, std::string_view(stream).substr(cut));
    for (std::string& f : Drain(buffer)) frames.push_back(std::move(f));
    ASSERT_EQ(frames.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(frames[0], "hello");
    EXPECT_EQ(frames[1], std::string(300, 'x'));
  }
}

// Reads a large frame the way the socket transport does: the rest of its body into the span
// TakeLarge returns. Returns the body Next hands out.
std::string ReadLarge(FrameBuffer& buffer, std::string_view rest_of_stream, size_t& consumed) {
  std::span<char> rest = buffer.TakeLarge();
  EXPECT_LE(rest.size(), rest_of_stream.size());
  std::memcpy(rest.data(), rest_of_stream.data(), rest.size());
  consumed = rest.size();
  buffer.CommitLarge();
  EXPECT_TRUE(buffer.Ready(1 << 30));
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 30);
  EXPECT_TRUE(next.ok() && next->has_value());
  if (!next.ok() || !next->has_value()) return {};
  return std::string(**next);
}

// Feeds a stream of frames, small ones through the read buffer and large ones through the
// large-frame buffer, and returns every frame body.
std::vector<std::string> ReadStream(FrameBuffer& buffer, std::string_view stream, size_t chunk) {
  std::vector<std::string> frames;
  while (!stream.empty() || buffer.Ready(1 << 30)) {
    for (std::string& f : Drain(buffer)) frames.push_back(std::move(f));
    if (buffer.pending_is_large()) {
      size_t consumed = 0;
      frames.push_back(ReadLarge(buffer, stream, consumed));
      stream.remove_prefix(consumed);
      continue;
    }
    if (stream.empty()) break;
    std::span<char> room = buffer.Prepare();
    const size_t n = std::min({room.size(), stream.size(), chunk});
    std::memcpy(room.data(), stream.data(), n);
    buffer.Commit(n);
    stream.remove_prefix(n);
  }
  for (std::string& f : Drain(buffer)) frames.push_back(std::move(f));
  return frames;
}

TEST(FrameBufferTest, LargeFrameIsTakenWithItsBufferedPrefix) {
  FrameBuffer buffer(64, 16);
  std::string body(1000, 'b');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  const std::string stream = Prefixed(body);
  Feed(buffer, std::string_view(stream).substr(0, 40));
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(buffer.pending_length(), 1000u);
  ASSERT_TRUE(buffer.pending_is_large());
  EXPECT_FALSE(buffer.Ready(1 << 20));
  std::span<char> rest = buffer.TakeLarge();
  EXPECT_EQ(rest.size(), 1000u - 36u);
  EXPECT_EQ(buffer.buffered(), 0u);
  EXPECT_FALSE(buffer.Ready(1 << 20));
  std::memcpy(rest.data(), stream.data() + 40, rest.size());
  buffer.CommitLarge();
  EXPECT_TRUE(buffer.Ready(1 << 20));
  next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, body);
  EXPECT_FALSE(buffer.Ready(1 << 20));
  next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST(FrameBufferTest, LargeFrameBufferIsReusedAcrossFrames) {
  FrameBuffer buffer(64, 16);
  const std::string first(1000, '1');
  const std::string second(800, '2');
  const std::string stream = Prefixed(first) + Prefixed(second);
  std::string_view rest(stream);
  Feed(buffer, rest.substr(0, 64));
  rest.remove_prefix(64);
  size_t consumed = 0;
  EXPECT_EQ(ReadLarge(buffer, rest, consumed), first);
  rest.remove_prefix(consumed);
  EXPECT_EQ(buffer.large_capacity(), 1000u);
  // The second, smaller frame is read into the same buffer: no allocation.
  Feed(buffer, rest.substr(0, 8));
  rest.remove_prefix(8);
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  ASSERT_TRUE(buffer.pending_is_large());
  EXPECT_EQ(ReadLarge(buffer, rest, consumed), second);
  EXPECT_EQ(buffer.large_capacity(), 1000u);
  // A frame larger than the buffer (still under the limit) replaces it.
  const std::string third(1500, '3');
  const std::string more = Prefixed(third);
  Feed(buffer, std::string_view(more).substr(0, 10));
  EXPECT_EQ(ReadLarge(buffer, std::string_view(more).substr(10), consumed), third);
  EXPECT_EQ(buffer.large_capacity(), 1500u);
  EXPECT_TRUE(Drain(buffer).empty());
  EXPECT_EQ(buffer.large_capacity(), 1500u);
}

TEST(FrameBufferTest, LargeFrameOverTheRetainLimitIsFreedOnceTaken) {
  FrameBuffer buffer(64, 16, /*retain_limit=*/2000);
  const std::string kept(1800, 'k');
  const std::string big(5000, 'B');
  const std::string stream = Prefixed(kept) + Prefixed(big) + Prefixed("small") + Prefixed(kept);
  std::vector<std::string> frames;
  std::string_view rest(stream);
  Feed(buffer, rest.substr(0, 20));
  rest.remove_prefix(20);
  size_t consumed = 0;
  frames.push_back(ReadLarge(buffer, rest, consumed));
  rest.remove_prefix(consumed);
  EXPECT_EQ(buffer.large_capacity(), 1800u);
  Feed(buffer, rest.substr(0, 20));
  rest.remove_prefix(20);
  ASSERT_TRUE(buffer.pending_is_large());
  frames.push_back(ReadLarge(buffer, rest, consumed));
  rest.remove_prefix(consumed);
  // Held while its frame is handed out (the view points into it), freed at the next Next.
  EXPECT_EQ(buffer.large_capacity(), 5000u);
  EXPECT_EQ(frames.back(), big);
  for (std::string& f : ReadStream(buffer, rest, 64)) frames.push_back(std::move(f));
  EXPECT_EQ(frames, (std::vector<std::string>{kept, big, "small", kept}));
  EXPECT_EQ(buffer.large_capacity(), 1800u);
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST(FrameBufferTest, OversizedFrameAloneLeavesNothingRetained) {
  FrameBuffer buffer(64, 16, /*retain_limit=*/100);
  const std::string big(300, 'B');
  EXPECT_EQ(ReadStream(buffer, Prefixed(big) + Prefixed("x"), 64),
            (std::vector<std::string>{big, "x"}));
  EXPECT_EQ(buffer.large_capacity(), 0u);
}

TEST(FrameBufferTest, TickFreesTheLargeBufferOnlyWhenUnusedForAWholePeriod) {
  FrameBuffer buffer(64, 16);
  const std::string body(500, 'p');
  EXPECT_EQ(ReadStream(buffer, Prefixed(body), 64), (std::vector<std::string>{body}));
  EXPECT_EQ(buffer.large_capacity(), 500u);
  EXPECT_TRUE(buffer.Tick());  // used during this period: kept
  EXPECT_EQ(ReadStream(buffer, Prefixed(body), 64), (std::vector<std::string>{body}));
  EXPECT_TRUE(buffer.Tick());
  EXPECT_EQ(buffer.large_capacity(), 500u);
  EXPECT_FALSE(buffer.Tick());  // a whole period without a large frame
  EXPECT_EQ(buffer.large_capacity(), 0u);
  EXPECT_FALSE(buffer.Tick());
  // Allocated again when needed.
  EXPECT_EQ(ReadStream(buffer, Prefixed(body), 64), (std::vector<std::string>{body}));
  EXPECT_EQ(buffer.large_capacity(), 500u);
}

TEST(FrameBufferTest, TickNeverFreesAFrameBeingRead) {
  FrameBuffer buffer(64, 16);
  const std::string body(500, 'r');
  const std::string stream = Prefixed(body);
  Feed(buffer, std::string_view(stream).substr(0, 30));
  ASSERT_TRUE(buffer.pending_is_large());
  std::span<char> rest = buffer.TakeLarge();
  // A slow peer: periods pass while the body is read.
  EXPECT_TRUE(buffer.Tick());
  EXPECT_TRUE(buffer.Tick());
  EXPECT_TRUE(buffer.Tick());
  std::memcpy(rest.data(), stream.data() + 30, rest.size());
  buffer.CommitLarge();
  EXPECT_TRUE(buffer.Tick());
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_TRUE(buffer.Tick());  // handed out: its view is valid until the next Next
  EXPECT_EQ(**next, body);
}

TEST(FrameBufferTest, ManySizesInterleaved) {
  // Sizes around the direct threshold and the retain limit, in every order, split into reads
  // of several sizes: every frame comes out whole and in order, and the large-frame buffer
  // never holds more than the retain limit once its frame is done.
  const std::vector<size_t> sizes = {1, 15, 16, 17, 60, 61, 64, 100, 999, 1000, 1001, 2500, 7};
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{100000}}) {
    FrameBuffer buffer(64, 16, /*retain_limit=*/1000);
    std::vector<std::string> expected;
    std::string stream;
    for (size_t round = 0; round < 3; ++round) {
      for (size_t i = 0; i < sizes.size(); ++i) {
        const size_t size = sizes[(i * 5 + round) % sizes.size()];
        std::string body(size, '\0');
        for (size_t j = 0; j < size; ++j) body[j] = static_cast<char>(j * 31 + i + round);
        stream += Prefixed(body);
        expected.push_back(std::move(body));
      }
    }
    EXPECT_EQ(ReadStream(buffer, stream, chunk), expected) << "reads of " << chunk;
    EXPECT_LE(buffer.large_capacity(), 1000u);
  }
}

TEST(FrameBufferTest, RejectsOversizedLengthBeforeTheBodyArrives) {
  FrameBuffer buffer;
  Feed(buffer, Prefixed(std::string(100, 'z')).substr(0, kFrameHeaderSize));
  Result<std::optional<std::string_view>> next = buffer.Next(50);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kResourceExhausted);
}

TEST(FrameBufferTest, RejectsZeroLength) {
  FrameBuffer buffer;
  Feed(buffer, std::string(kFrameHeaderSize, '\0'));
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kInvalidArgument);
}

TEST(FrameBufferTest, ReadyOnlyForAWholeFrameOrABadLength) {
  FrameBuffer buffer;
  EXPECT_FALSE(buffer.Ready(1 << 20));
  const std::string stream = Prefixed("hello");
  Feed(buffer, std::string_view(stream).substr(0, 6));
  EXPECT_FALSE(buffer.Ready(1 << 20));
  Feed(buffer, std::string_view(stream).substr(6));
  EXPECT_TRUE(buffer.Ready(1 << 20));
  // Over the limit: ready to report the error before the body arrives.
  EXPECT_TRUE(buffer.Ready(3));
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(**next, "hello");
  EXPECT_FALSE(buffer.Ready(1 << 20));
}

TEST(FrameBufferTest, FramesStayValidUntilTheNextPrepare) {
  FrameBuffer buffer(64, 32);
  Feed(buffer, Prefixed("first") + Prefixed("second"));
  Result<std::optional<std::string_view>> a = buffer.Next(1 << 20);
  Result<std::optional<std::string_view>> b = buffer.Next(1 << 20);
  ASSERT_TRUE(a.ok() && a->has_value() && b.ok() && b->has_value());
  EXPECT_EQ(**a, "first");
  EXPECT_EQ(**b, "second");
}

TEST(FrameBufferTest, MediumFrameGrowsTheBufferInsteadOfGoingDirect) {
  FrameBuffer buffer(64, 4096);
  const std::string body(3000, 'm');
  Feed(buffer, Prefixed(body) + Prefixed("after"));
  EXPECT_EQ(Drain(buffer), (std::vector<std::string>{body, "after"}));
}

}  // namespace
}  // namespace periscope::rpc::internal
