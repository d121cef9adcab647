#include "loadgen/log_http_sender.h"

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
#include <optional>

#include "base/time.h"

namespace periscope::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kIoTimeout = std::chrono::seconds(60);

asio::awaitable<void> Sleep(int64_t ns) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(std::chrono::nanoseconds(std::max<int64_t>(ns, 0)));
  co_await timer.async_wait(kTuple);
}

// Shared by the workers of one run: the source and whether it is exhausted.
struct Feed {
  HttpRequestSource& source;
  bool exhausted = false;
};

// One keep-alive connection taking requests from the feed; a failed request is retried.
asio::awaitable<void> Worker(Feed& feed, const tcp::resolver::results_type& endpoints,
                             const HttpAnswerRules& rules, LoadRun& run) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  bool connected = false;
  std::optional<HttpRequestBytes> pending;  // a failed request waiting to be resent
  auto close = [&] {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connected = false;
    buffer.clear();
  };
  for (;;) {
    int64_t now = MonotonicNanos();
    std::optional<int64_t> next = run.NextSendTime(now);
    // Each worker resends its own failed request, so stopping here loses nothing acknowledged.
    if (!next || (!pending && feed.exhausted)) break;
    if (*next > now) {
      co_await Sleep(*next - now);
      continue;
    }
    if (!pending) {
      pending = feed.source.Next();
      if (!pending) {
        feed.exhausted = true;
        continue;
      }
    }
    run.OnSend();
    int64_t sent = MonotonicNanos();
    auto fail = [&](std::string error) {
      run.OnFailure(error);
      close();
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
    stream.expires_after(kIoTimeout);
    auto [write_ec, written] = co_await asio::async_write(
        stream, asio::buffer(pending->wire.data(), pending->wire.size()), kTuple);
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
    unsigned status = response.result_int();
    if (status < 200 || status >= 300) {
      fail(fmt::format("HTTP {}: {}", status, response.body().substr(0, 200)));
      co_await Sleep(LoadRun::kRetryBackoffNs);
      continue;
    }
    uint64_t items = pending->items;
    uint64_t rejected = rules.rejected_items ? rules.rejected_items(response.body()) : 0;
    run.OnSuccess(items - std::min(items, rejected), pending->body_size, MonotonicNanos() - sent);
    pending.reset();
    if (!response.keep_alive()) close();
  }
  if (connected) close();
}

}  // namespace

std::string HttpPostHead(std::string_view host_port, std::string_view path,
                         std::string_view content_type, std::string_view extra_headers,
                         size_t body_size) {
  return fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: periscope-load\r\nContent-Type: {}\r\n"
      "{}Content-Length: {}\r\n\r\n",
      path, host_port, content_type, extra_headers, body_size);
}

Status RunHttpRequests(const std::string& host_port, int connections, HttpRequestSource& source,
                       const HttpAnswerRules& rules, LoadRun& run) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return Status::InvalidArgument("target '{}' is not host:port", host_port);
  }
  if (connections < 1) return Status::InvalidArgument("connections {} < 1", connections);
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  asio::io_context io(1);
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host, host_port.substr(colon + 1), ec);
  if (ec) return Status::InvalidArgument("cannot resolve '{}': {}", host_port, ec.message());
  Feed feed{source};
  try {
    for (int i = 0; i < connections; ++i) {
      asio::co_spawn(io, Worker(feed, endpoints, rules, run), asio::detached);
    }
    io.run();
  } catch (const std::exception& e) {
    return Status::Internal("HTTP load: {}", e.what());
  }
  return Status::Ok();
}

}  // namespace periscope::loadgen
