#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

#include "periscope/trace.h"
#include "shop_api.h"

namespace shop {

// The shop's HTTP entry point (Boost.Beast, HTTP/1.1 keep-alive): `GET /checkout?item=&qty=&card=`
// places an order through shop.Checkout under a SERVER span that continues the caller's W3C
// `traceparent`, and answers JSON with the trace id. Runs on one io_context thread; Listen and
// Stop must be called from that thread or before it runs.
class Frontend {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  Frontend(boost::asio::io_context& io, periscope::trace::Tracer tracer,
           periscope::rpc::Client<Checkout> checkout);

  // Binds host:port (0: any free port) and starts accepting; UNAVAILABLE on failure.
  periscope::rpc::Result<uint16_t> Listen(const std::string& host, uint16_t port);
  // Stops accepting; open connections end with the io_context.
  void Stop();

  // Answers one request: 200 with the order, 400 for bad parameters, 404 for other paths, 502
  // with the error when a backend call fails.
  boost::asio::awaitable<Response> Handle(const Request& request);

 private:
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  periscope::trace::Tracer tracer_;
  periscope::rpc::Client<Checkout> checkout_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace shop
