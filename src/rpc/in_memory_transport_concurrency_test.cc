#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "rpc/frame.h"
#include "rpc/rpc_testing.h"
#include "rpc/transport.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// A reader that finds frames already queued still lets the work queued before it on its strand
// run before it takes them, and then gets every queued frame in order.
TEST(InMemoryTransportConcurrencyTest, ReaderYieldsTheStrandBeforeTakingFramesThatWereWaiting) {
  testing::IoThreads io(1);
  auto [writer, reader] = MakeInMemoryPair(io.executor(), io.executor());
  std::vector<std::string> frames;
  for (uint64_t id = 1; id <= 3; ++id) frames.push_back(EncodeControlFrame(FrameKind::kCredit, id));
  auto sent = asio::co_spawn(
      writer->executor(),
      [&]() -> awaitable<void> {
        for (const std::string& f : frames) writer->Send(f);
        co_return;
      },
      asio::use_future);
  ASSERT_EQ(sent.wait_for(20s), std::future_status::ready);

  std::vector<std::string> events;
  std::vector<std::string> bodies;
  auto read = asio::co_spawn(
      reader->executor(),
      [&]() -> awaitable<Status> {
        asio::post(reader->executor(), [&] { events.push_back("other work on the strand"); });
        Status st = co_await reader->WaitForFrame(1 << 20);
        events.push_back("frames taken");
        for (;;) {
          Result<std::optional<std::string_view>> body = reader->NextFrame(1 << 20);
          if (!body.ok()) co_return body.status();
          if (!body->has_value()) break;
          bodies.emplace_back(**body);
        }
        co_return st;
      },
      asio::use_future);
  ASSERT_EQ(read.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(read.get().ok());
  EXPECT_EQ(events, (std::vector<std::string>{"other work on the strand", "frames taken"}));
  ASSERT_EQ(bodies.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(bodies[i], frames[i].substr(kFrameHeaderSize)) << i;
  }
  auto closed = asio::co_spawn(
      reader->executor(),
      [&]() -> awaitable<void> {
        reader->Close();
        co_return;
      },
      asio::use_future);
  ASSERT_EQ(closed.wait_for(20s), std::future_status::ready);
}

}  // namespace
}  // namespace periscope::rpc::internal
