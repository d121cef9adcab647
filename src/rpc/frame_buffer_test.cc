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

TEST(FrameBufferTest, LargeFrameIsTakenWithItsBufferedPrefix) {
  FrameBuffer buffer(64, 16);
  const std::string body(1000, 'b');
  const std::string stream = Prefixed(body);
  Feed(buffer, std::string_view(stream).substr(0, 40));
  Result<std::optional<std::string_view>> next = buffer.Next(1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(buffer.pending_length(), 1000u);
  ASSERT_TRUE(buffer.pending_is_large());
  size_t have = 0;
  std::string taken = buffer.TakePartial(have);
  EXPECT_EQ(taken.size(), 1000u);
  EXPECT_EQ(have, 36u);
  EXPECT_EQ(taken.substr(0, have), body.substr(0, have));
  EXPECT_EQ(buffer.buffered(), 0u);
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
