#include "api/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast.hpp>
#include <boost/url.hpp>
#include <charconv>
#include <thread>
#include <vector>

#include "api/request_target.h"
#include "api/reused_string_body.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"

namespace periscope {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

namespace {

using RequestParser = http::request_parser<ReusedStringBody>;
using Request = http::request<ReusedStringBody>;

// A connection keeps its last request body (or what the handler gave back in its place) for the
// next request, up to this size; larger buffers are freed.
constexpr size_t kMaxKeptBodyBytes = 1u << 20;

Counter* const g_requests =
    MetricsRegistry::Global().NewCounter("periscope_http_requests_total", "HTTP requests served.");
Counter* const g_errors = MetricsRegistry::Global().NewCounter(
    "periscope_http_responses_errors_total", "HTTP responses with status >= 400.");
Histogram* const g_latency = MetricsRegistry::Global().NewHistogram(
    "periscope_http_request_duration_seconds", "HTTP request handling time.");

void AddCors(http::response<http::string_body>& res) {
  res.set(http::field::access_control_allow_origin, "*");
}

http::response<http::string_body> ToBeast(HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "periscope");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  AddCors(res);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

HttpResponse Preflight() {
  HttpResponse r;
  r.status = 204;
  r.content_type = "text/plain";
  r.headers = {{"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"},
               {"Access-Control-Allow-Headers",
                "Content-Type, Content-Encoding, Authorization, X-Scope-OrgID, "
                "X-Prometheus-Remote-Write-Version, Accept"},
               {"Access-Control-Max-Age", "86400"}};
  return r;
}

}  // namespace

bool SplitHostPort(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "0.0.0.0";
  unsigned p = 0;
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  auto [ptr, ec] = std::from_chars(begin, end, p);
  if (ec != std::errc() || ptr != end || p > 65535) return false;
  *host = h;
  *port = static_cast<uint16_t>(p);
  return true;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  const Router& router;
  asio::io_context io;
  asio::thread_pool workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;

  Impl(HttpServerOptions o, const Router& r)
      : options(std::move(o)), router(r), workers(options.worker_threads) {}

  HttpResponse Handle(HttpRequest& req) {
    if (req.method == "OPTIONS") return Preflight();
    return router.Dispatch(req);
  }

  static Result<HttpRequest> Convert(Request& in) {
    HttpRequest req;
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    auto parsed = boost::urls::parse_origin_form(req.target);
    std::string escaped;
    if (!parsed) {
      escaped = EscapeRequestTarget(req.target);
      parsed = boost::urls::parse_origin_form(escaped);
    }
    if (!parsed) return Status::InvalidArgument("malformed request target");
    req.path = parsed->path();
    for (auto param : parsed->params()) req.params.emplace(param.key, param.value);
    for (const auto& field : in) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(in.body());
    return req;
  }

  // After refusing a request whose body is still arriving, closing at once would reset the
  // connection and the client would lose the response: stop sending, then read and discard the
  // rest for a bounded time and volume before closing.
  static awaitable<void> DrainAndClose(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::chrono::seconds(2));
    std::vector<char> sink(64 * 1024);
    size_t drained = 0;
    while (drained < (64u << 20)) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
      if (ec) break;
      drained += n;
    }
    stream.socket().close(ignored);
  }

  // Sends a streamed response: headers, then whatever each poll of out.stream returns, with a
  // comment line every 15 s so that proxies keep the connection and a gone client is noticed.
  // The body ends when the connection closes.
  awaitable<void> Stream(beast::tcp_stream& stream, HttpResponse& out) {
    std::string head = fmt::format(
        "HTTP/1.1 {} OK\r\nServer: periscope\r\nContent-Type: {}\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nAccess-Control-Allow-Origin: *\r\nX-Accel-Buffering: no\r\n",
        out.status, out.content_type);
    for (const auto& [k, v] : out.headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    stream.expires_never();
    auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(head), kNoThrow);
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    // The client sends nothing more: a completed read means it closed the connection (or broke
    // the protocol); either way the stream ends. One read only, never re-armed after completion.
    auto gone = std::make_shared<std::atomic<bool>>(false);
    auto sink = std::make_shared<std::array<char, 256>>();
    stream.socket().async_read_some(asio::buffer(*sink),
                                    [gone, sink](beast::error_code, size_t) { gone->store(true); });
    int64_t last_write = MonotonicNanos();
    bool open = !hec;
    while (open && !gone->load()) {
      std::string chunk;
      open = co_await asio::co_spawn(
          workers,
          [&]() -> awaitable<bool> {
            try {
              co_return out.stream(&chunk);
            } catch (const std::exception& e) {
              LogError("stream handler threw: {}", e.what());
              co_return false;
            }
          },
          use_awaitable);
      if (chunk.empty() && MonotonicNanos() - last_write >= 15 * kNanosPerSecond) {
        chunk = ": ping\n\n";
      }
      if (!chunk.empty()) {
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(chunk), kNoThrow);
        if (wec) break;
        last_write = MonotonicNanos();
      } else if (open) {
        timer.expires_after(std::chrono::milliseconds(200));
        auto [tec] = co_await timer.async_wait(kNoThrow);
        if (tec) break;
      }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }

  // Reads one request into *parser: the header through `buffer`, then a body of known length
  // straight from the socket into the body string (after the bytes `buffer` already holds), in
  // reads as large as what is left; a chunked body goes through the parser.
  static awaitable<beast::error_code> ReadRequest(beast::tcp_stream& stream,
                                                  beast::flat_buffer& buffer,
                                                  RequestParser& parser) {
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    if (hec) co_return hec;
    std::string& body = parser.get().body();
    if (parser.is_done()) {
      body.clear();
      co_return beast::error_code{};
    }
    if (parser.chunked() || !parser.content_length()) {
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
      co_return ec;
    }
    const auto length = static_cast<size_t>(*parser.content_length());
    if (body.size() < length) body.resize(length);
    const size_t buffered = std::min(buffer.size(), length);
    asio::buffer_copy(asio::buffer(body.data(), buffered), buffer.data());
    buffer.consume(buffered);
    if (buffered < length) {
      auto [ec, n] = co_await asio::async_read(
          stream, asio::buffer(body.data() + buffered, length - buffered), kNoThrow);
      if (ec) {
        body.clear();
        co_return ec == asio::error::eof ? beast::error_code(http::error::partial_message) : ec;
      }
    }
    body.resize(length);
    co_return beast::error_code{};
  }

  awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string kept_body;  // the previous request's body buffer, reused
    for (;;) {
      RequestParser parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(64 * 1024);
      parser.get().body() = std::move(kept_body);
      stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
      beast::error_code ec = co_await ReadRequest(stream, buffer, parser);
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted) {
        break;
      }
      if (ec) {
        const bool too_big = ec == http::error::body_limit;
        HttpResponse r =
            too_big ? HttpResponse::Error(413, fmt::format("request body larger than {} bytes",
                                                           options.max_body_bytes))
                    : HttpResponse::Error(400, "malformed HTTP request: " + ec.message());
        g_errors->Add();
        auto res = ToBeast(r, 11, false);
        co_await http::async_write(stream, res, kNoThrow);
        co_await DrainAndClose(stream);
        co_return;
      }
      const int64_t t0 = MonotonicNanos();
      Request in = parser.release();
      const bool keep_alive = in.keep_alive();
      const unsigned version = in.version();
      const bool head = in.method() == http::verb::head;
      auto converted = Convert(in);
      HttpResponse out;
      if (!converted.ok()) {
        out = HttpResponse::Error(400, converted.status().message());
      } else {
        HttpRequest req = std::move(converted).value();
        out = co_await asio::co_spawn(
            workers,
            [&]() -> awaitable<HttpResponse> {
              try {
                co_return Handle(req);
              } catch (const std::exception& e) {
                LogError("handler for {} threw: {}", req.path, e.what());
                co_return HttpResponse::Error(500, "internal error");
              }
            },
            use_awaitable);
        // A handler that took the body may have handed a buffer back in req.body.
        if (req.body.capacity() <= kMaxKeptBodyBytes) kept_body = std::move(req.body);
      }
      g_requests->Add();
      if (out.status >= 400) g_errors->Add();
      if (out.stream && !head) {
        co_await Stream(stream, out);
        co_return;
      }
      auto res = ToBeast(out, version, keep_alive);
      if (head) res.body().clear();
      auto [wec, wn] = co_await http::async_write(stream, res, kNoThrow);
      g_latency->Observe(static_cast<double>(MonotonicNanos() - t0) / 1e9);
      if (wec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      asio::co_spawn(io, Session(std::move(socket)), asio::detached);
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(impl_->options.listen, &host, &port)) {
    return Status::InvalidArgument("listen address '{}' is not host:port", impl_->options.listen);
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("listen address '{}': {}", host, ec.message());
  tcp::endpoint endpoint(address, port);
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("listening on {}: {}", impl_->options.listen, ec.message());
  impl_->bound_port = acceptor->local_endpoint().port();
  impl_->acceptor = std::move(acceptor);
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  for (size_t i = 0; i < impl_->options.io_threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->threads.empty()) return;
  asio::post(impl_->io, [this] {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
  });
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->workers.join();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

}  // namespace periscope
