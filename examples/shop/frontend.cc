#include "frontend.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>

namespace shop {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kMaxBodyBytes = 64 * 1024;

Frontend::Response JsonResponse(http::status status, const json::object& body) {
  Frontend::Response response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

Frontend::Response ErrorResponse(http::status status, std::string_view message) {
  json::object body;
  body["error"] = message;
  return JsonResponse(status, body);
}

// The caller's context from the `traceparent`/`tracestate`/`baggage` headers, or an empty one.
pt::Context ExtractFromHeaders(const Frontend::Request& request) {
  pt::CallbackCarrier carrier(
      [&request](std::string_view key) -> std::optional<std::string> {
        auto it = request.find(key);
        if (it == request.end()) return std::nullopt;
        return std::string(it->value());
      },
      nullptr);
  return pt::ExtractToContext(carrier);
}

std::shared_ptr<pt::Span> StartServerSpan(const pt::Tracer& tracer, const pt::Context& parent,
                                          const Frontend::Request& request, std::string_view path) {
  pt::StartSpanOptions options;
  options.kind = pt::SpanKind::kServer;
  options.parent = parent;
  options.attributes.emplace_back("http.request.method", std::string(request.method_string()));
  options.attributes.emplace_back("url.path", std::string(path));
  options.attributes.emplace_back("http.route", std::string(path));
  return tracer.StartSpan(std::string(request.method_string()) + " " + std::string(path),
                          std::move(options));
}

void FinishServerSpan(const std::shared_ptr<pt::Span>& span, const Frontend::Response& response,
                      const std::string& error) {
  span->SetAttribute("http.response.status_code", static_cast<int64_t>(response.result_int()));
  if (response.result_int() >= 500) span->SetStatus(pt::StatusCode::kError, error);
  span->End();
}

std::optional<int64_t> ParsePositive(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

http::status HttpStatusFor(rpc::StatusCode code) {
  switch (code) {
    case rpc::StatusCode::kInvalidArgument:
      return http::status::bad_request;
    case rpc::StatusCode::kNotFound:
      return http::status::not_found;
    default:
      return http::status::bad_gateway;
  }
}

}  // namespace

Frontend::Frontend(asio::io_context& io, pt::Tracer tracer, rpc::Client<Checkout> checkout)
    : io_(io), tracer_(std::move(tracer)), checkout_(std::move(checkout)), acceptor_(io) {}

rpc::Result<uint16_t> Frontend::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return rpc::UnavailableError("bad listen address " + host + ": " + ec.message());
  tcp::endpoint endpoint(address, port);
  if (acceptor_.open(endpoint.protocol(), ec) ||
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor_.bind(endpoint, ec) ||
      acceptor_.listen(asio::socket_base::max_listen_connections, ec)) {
    return rpc::UnavailableError("listen on " + host + ": " + ec.message());
  }
  asio::co_spawn(io_, AcceptLoop(), asio::detached);
  return acceptor_.local_endpoint().port();
}

void Frontend::Stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> Frontend::AcceptLoop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Frontend::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(60));
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_ec == http::error::end_of_stream || read_ec == beast::error::timeout ||
        read_ec == asio::error::connection_reset || read_ec == asio::error::eof) {
      break;
    }
    Response response;
    bool keep_alive = false;
    if (read_ec) {
      response = ErrorResponse(http::status::bad_request, "bad request: " + read_ec.message());
    } else {
      Request request = parser.release();
      keep_alive = request.keep_alive();
      response = co_await Handle(request);
    }
    response.keep_alive(keep_alive);
    response.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, response, kTuple);
    if (write_ec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<Frontend::Response> Frontend::Handle(const Request& request) {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) co_return ErrorResponse(http::status::bad_request, "bad request target");
  const std::string path = url->path();
  if (path == "/healthz") {
    json::object ok;
    ok["status"] = "ok";
    co_return JsonResponse(http::status::ok, ok);
  }
  if (path != "/checkout") co_return ErrorResponse(http::status::not_found, "no route " + path);

  PlaceOrderRequest order;
  order.item = "book";
  order.quantity = 1;
  order.card = "visa";
  for (auto param : url->params()) {
    if (param.key == "item") {
      order.item = param.value;
    } else if (param.key == "card") {
      order.card = param.value;
    } else if (param.key == "qty") {
      std::optional<int64_t> qty = ParsePositive(param.value);
      if (!qty)
        co_return ErrorResponse(http::status::bad_request, "qty must be a positive integer");
      order.quantity = *qty;
    }
  }

  const pt::Context caller = ExtractFromHeaders(request);
  std::shared_ptr<pt::Span> span = StartServerSpan(tracer_, caller, request, path);
  span->SetAttribute("shop.item", order.item);
  rpc::CallOptions options;
  options.timeout = std::chrono::seconds(5);
  options.trace_parent = caller.WithSpan(span);
  rpc::Result<PlaceOrderReply> placed =
      co_await checkout_.Call<Checkout::PlaceOrder>(std::move(order), std::move(options));

  json::object body;
  body["trace_id"] = span->context().trace_id.ToHex();
  body["span_id"] = span->context().span_id.ToHex();
  Response response;
  std::string error;
  if (placed.ok()) {
    body["order_id"] = placed->order_id;
    body["reservation_id"] = placed->reservation_id;
    body["transaction_id"] = placed->transaction_id;
    body["total_cents"] = placed->total_cents;
    response = JsonResponse(http::status::ok, body);
  } else {
    error = placed.status().ToString();
    body["error"] = error;
    response = JsonResponse(HttpStatusFor(placed.status().code()), body);
  }
  FinishServerSpan(span, response, error);
  co_return response;
}

}  // namespace shop
