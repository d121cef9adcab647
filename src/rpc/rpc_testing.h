#pragma once

// A test service and a harness running an io_context on background threads.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "periscope/rpc.h"
#include "periscope/trace/common.h"

namespace periscope::rpc::testing {

struct EchoRequest {
  std::string text;
  int32_t sleep_ms = 0;
};
struct EchoReply {
  std::string text;
  uint64_t length = 0;
};

struct Echo {
  RPC_SERVICE("Echo");
  RPC_METHOD(Say, EchoReply(EchoRequest));
  RPC_METHOD(Fail, EchoReply(EchoRequest));
  RPC_METHOD(Sleep, EchoReply(EchoRequest));
};

// Implements Echo; Sleep waits sleep_ms and counts calls in flight and cancellations.
// Thread-safe.
struct EchoImpl {
  boost::asio::awaitable<Result<EchoReply>> Say(EchoRequest r) {
    co_return EchoReply{r.text, r.text.size()};
  }
  boost::asio::awaitable<Result<EchoReply>> Fail(EchoRequest r) {
    co_return Status(StatusCode::kNotFound, "no " + r.text);
  }
  boost::asio::awaitable<Result<EchoReply>> Sleep(EchoRequest r, const CallContext& ctx) {
    int now = ++in_flight;
    int peak = max_in_flight.load();
    while (now > peak && !max_in_flight.compare_exchange_weak(peak, now)) {
    }
    if (ctx.deadline) {
      saw_deadline = true;
      last_deadline_unix_nanos = trace::ToUnixNanos(*ctx.deadline);
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(r.sleep_ms));
    try {
      co_await timer.async_wait(boost::asio::use_awaitable);
    } catch (const boost::system::system_error&) {
      ++cancelled;
      --in_flight;
      throw;
    }
    --in_flight;
    ++completed;
    co_return EchoReply{r.text, r.text.size()};
  }

  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> cancelled{0};
  std::atomic<int> completed{0};
  std::atomic<bool> saw_deadline{false};
  std::atomic<uint64_t> last_deadline_unix_nanos{0};
};

struct RangeRequest {
  int32_t count = 0;
  int32_t fail_after = -1;  // fail with ABORTED after this many messages
  int32_t sleep_ms = 0;     // between messages
};
struct Number {
  int64_t value = 0;
};
struct Sum {
  int64_t total = 0;
  int64_t count = 0;
};

struct Streams {
  RPC_SERVICE("Streams");
  RPC_SERVER_STREAM(Range, Number(RangeRequest));
  RPC_CLIENT_STREAM(Add, Sum(Number));
  RPC_CLIENT_STREAM(SlowAdd, Sum(Number));
  RPC_BIDI_STREAM(Double, Number(Number));
};

// Implements Streams and counts what the handlers did. Thread-safe.
struct StreamsImpl {
  boost::asio::awaitable<Status> Range(RangeRequest r, ServerWriter<Number>& writer) {
    try {
      for (int i = 0; i < r.count; ++i) {
        if (i == r.fail_after) {
          co_return Status(StatusCode::kAborted, "failed after " + std::to_string(i));
        }
        Number n{i};
        Status st = co_await writer.Write(n);
        if (!st.ok()) {
          ++ended_early;
          co_return st;
        }
        ++written;
        if (r.sleep_ms > 0) {
          boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
          timer.expires_after(std::chrono::milliseconds(r.sleep_ms));
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
      }
    } catch (const boost::system::system_error&) {
      ++ended_early;
      throw;
    }
    co_return Status::Ok();
  }

  boost::asio::awaitable<Result<Sum>> Add(ServerReader<Number>& reader) {
    Sum sum;
    for (;;) {
      Result<std::optional<Number>> n = co_await reader.Read();
      if (!n.ok()) co_return n.status();
      if (!n->has_value()) break;
      sum.total += (*n)->value;
      ++sum.count;
    }
    co_return sum;
  }

  boost::asio::awaitable<Result<Sum>> SlowAdd(ServerReader<Number>& reader) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(300));
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return co_await Add(reader);
  }

  boost::asio::awaitable<Status> Double(ServerReaderWriter<Number, Number>& stream) {
    for (;;) {
      Result<std::optional<Number>> n = co_await stream.Read();
      if (!n.ok()) co_return n.status();
      if (!n->has_value()) co_return Status::Ok();
      Number doubled{(*n)->value * 2};
      Status st = co_await stream.Write(doubled);
      if (!st.ok()) co_return st;
    }
  }

  std::atomic<int> written{0};
  std::atomic<int> ended_early{0};
};

// Runs an io_context on `threads` threads for the lifetime of the object.
class IoThreads {
 public:
  explicit IoThreads(int threads = 2) : guard_(io_.get_executor()) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~IoThreads() { Stop(); }
  // Stops the io_context and joins the threads: no handler runs on them afterwards (those not
  // finished are destroyed with the io_context).
  void Stop() {
    guard_.reset();
    io_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  boost::asio::io_context& io() { return io_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

  // Runs f() (returning awaitable<void>) on the io_context and waits up to `timeout`; false if it
  // did not finish in time.
  template <class F>
  bool Run(F f, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto fut = boost::asio::co_spawn(io_, std::move(f), boost::asio::use_future);
    if (fut.wait_for(timeout) != std::future_status::ready) return false;
    fut.get();
    return true;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// A channel to `server` on io's executor, over TCP loopback or in memory; empty (with a test
// failure recorded) when it cannot connect.
inline std::optional<Channel> ConnectToServer(IoThreads& io, Server& server, bool over_tcp) {
  std::optional<Channel> channel;
  if (over_tcp) {
    Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    if (!port.ok()) return channel;
    EXPECT_TRUE(io.Run([&]() -> boost::asio::awaitable<void> {
      Result<Channel> c = co_await Channel::ConnectTcp(io.executor(), "127.0.0.1", *port);
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (c.ok()) channel = *c;
    }));
  } else {
    Result<Channel> c = server.ConnectInMemory(io.executor());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) channel = *c;
  }
  return channel;
}

// Makes `calls` Echo.Say calls, `in_flight` at a time, from io's threads; call i sends
// "call-<i>" followed by `padding` bytes. Returns how many failed or got another call's reply,
// or -1 when they did not all finish within 20 s.
inline int RunSayCalls(IoThreads& io, Client<Echo>& client, int calls, int in_flight,
                       size_t padding = 0) {
  auto text = [padding](int i) { return "call-" + std::to_string(i) + std::string(padding, 'x'); };
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::atomic<int> running{in_flight};
  std::promise<void> all_done;
  for (int w = 0; w < in_flight; ++w) {
    boost::asio::co_spawn(
        io.io(),
        [&]() -> boost::asio::awaitable<void> {
          for (int i = next++; i < calls; i = next++) {
            EchoRequest request{text(i)};
            Result<EchoReply> reply = co_await client.Call<Echo::Say>(std::move(request));
            if (!reply.ok() || reply->text != text(i)) ++failures;
          }
          if (--running == 0) all_done.set_value();
        },
        boost::asio::detached);
  }
  if (all_done.get_future().wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    return -1;
  }
  return failures.load();
}

}  // namespace periscope::rpc::testing
