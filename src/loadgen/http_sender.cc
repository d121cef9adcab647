#include "loadgen/http_sender.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <exception>

#include "base/time.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kIoTimeout = std::chrono::seconds(30);
constexpr int64_t kIdlePollNs = 5 * kNanosPerMilli;

uint64_t RejectedSpans(const std::string& body) {
  ExportTraceServiceResponse response;
  if (body.empty() || !response.ParseFromString(body)) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(0, response.partial_success().rejected_spans()));
}

asio::awaitable<void> Sleep(int64_t ns) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(std::chrono::nanoseconds(std::max<int64_t>(ns, 0)));
  co_await timer.async_wait(kTuple);
}

// One keep-alive connection sending one slot's request over and over.
asio::awaitable<void> HttpWorker(SendSlot& slot, const tcp::resolver::results_type& endpoints,
                                 LoadRun& run) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  bool connected = false;
  for (;;) {
    int64_t now = MonotonicNanos();
    std::optional<int64_t> next = run.NextSendTime(now);
    if (!next) {
      if (run.in_flight() == 0) break;
      co_await Sleep(kIdlePollNs);  // in-flight requests may still fail and need resending
      continue;
    }
    if (*next > now) {
      co_await Sleep(*next - now);
      continue;
    }
    run.OnSend();
    int64_t sent = MonotonicNanos();
    auto fail = [&](std::string error) {
      run.OnFailure(error);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.close();
      connected = false;
      buffer.clear();
    };
    if (!connected) {
      stream.expires_after(kIoTimeout);
      auto [ec, endpoint] = co_await stream.async_connect(endpoints, kTuple);
      if (ec) {
        fail("connect: " + ec.message());
        co_await Sleep(LoadRun::kRetryBackoffNs);
        continue;
      }
      stream.socket().set_option(tcp::no_delay(true), ec);
      connected = true;
    }
    slot.Prepare(NowNanos());
    stream.expires_after(kIoTimeout);
    auto [write_ec, written] = co_await asio::async_write(
        stream, asio::buffer(slot.wire().data(), slot.wire().size()), kTuple);
    if (write_ec) {
      fail("write: " + write_ec.message());
      co_await Sleep(LoadRun::kRetryBackoffNs);
      continue;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_ec) {
      fail("read: " + read_ec.message());
      co_await Sleep(LoadRun::kRetryBackoffNs);
      continue;
    }
    const auto& response = parser.get();
    bool keep_alive = response.keep_alive();
    if (response.result() != http::status::ok) {
      fail(fmt::format("HTTP {}: {}", response.result_int(), response.body().substr(0, 200)));
      co_await Sleep(LoadRun::kRetryBackoffNs);
      continue;
    }
    uint64_t spans = slot.spans();
    run.OnSuccess(spans - std::min<uint64_t>(spans, RejectedSpans(response.body())),
                  slot.body().size(), MonotonicNanos() - sent);
    if (!keep_alive) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.close();
      connected = false;
    }
  }
  if (connected) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
  }
}

}  // namespace

std::string HttpRequestHead(std::string_view host_port, size_t body_size) {
  return fmt::format(
      "POST /v1/traces HTTP/1.1\r\nHost: {}\r\nUser-Agent: periscope-load\r\n"
      "Content-Type: application/x-protobuf\r\nContent-Length: {}\r\n\r\n",
      host_port, body_size);
}

Status RunHttpLoad(const std::string& host_port, std::vector<SendSlot>& slots, LoadRun& run) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return Status::InvalidArgument("target '{}' is not host:port", host_port);
  }
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  asio::io_context io(1);
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host, host_port.substr(colon + 1), ec);
  if (ec) return Status::InvalidArgument("cannot resolve '{}': {}", host_port, ec.message());
  try {
    for (SendSlot& slot : slots) {
      asio::co_spawn(io, HttpWorker(slot, endpoints, run), asio::detached);
    }
    io.run();
  } catch (const std::exception& e) {
    return Status::Internal("HTTP load: {}", e.what());
  }
  return Status::Ok();
}

}  // namespace periscope::loadgen
