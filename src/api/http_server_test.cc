#include "api/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace periscope {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A server whose POST /echo answers the request body and whose POST /giveback hands a larger
// buffer of 'z' back in req.body (what the OTLP logs handler does with its WAL payload).
class EchoServer {
 public:
  explicit EchoServer(size_t max_body_bytes = 20u << 20) {
    router_.Add("POST", "/echo", [this](HttpRequest& r) {
      ++calls_;
      return HttpResponse::Text(std::move(r.body));
    });
    router_.Add("POST", "/giveback", [this](HttpRequest& r) {
      ++calls_;
      const std::string got = std::move(r.body);
      r.body.assign(300000, 'z');
      return HttpResponse::Text(got);
    });
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.io_threads = 1;
    options.worker_threads = 2;
    options.max_body_bytes = max_body_bytes;
    server_ = std::make_unique<HttpServer>(options, router_);
    EXPECT_TRUE(server_->Start().ok());
  }
  uint16_t port() const { return server_->port(); }
  int calls() const { return calls_.load(); }

 private:
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> calls_{0};
};

// One client connection that writes raw bytes (in pieces, with pauses so that the server sees
// them in separate reads) and reads whole responses.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }

  void Send(const std::vector<std::string>& pieces) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      asio::write(socket_, asio::buffer(pieces[i]));
    }
  }

  http::response<http::string_body> Read() {
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(socket_, buffer_, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  http::response<http::string_body> Post(const std::string& path, const std::string& body) {
    Send({"POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body});
    return Read();
  }

  // True when the server closed the connection (read ends with EOF or a reset).
  bool ClosedByServer() {
    char c;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  void ShutdownSend() { socket_.shutdown(tcp::socket::shutdown_send); }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string Pattern(size_t n, char first) {
  std::string s(n, ' ');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + i % 23);
  return s;
}

TEST(HttpServerTest, BodySplitAcrossReadsArrivesWhole) {
  EchoServer server;
  Client client(server.port());
  const std::string body = Pattern(200000, 'a');
  const std::string head =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size());
  // The header itself is split, and the first body bytes come with its end.
  client.Send({head.substr(0, 10), head.substr(10) + "\r\n", "\r\n" + body.substr(0, 7),
               body.substr(7, 65536), body.substr(7 + 65536, 1), body.substr(7 + 65537)});
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), body);
}

TEST(HttpServerTest, ReusedBodyBufferNeverShowsAnEarlierBody) {
  EchoServer server;
  Client client(server.port());
  const std::string big = Pattern(150000, 'A');
  EXPECT_EQ(client.Post("/echo", big).body(), big);
  EXPECT_EQ(client.Post("/echo", "short").body(), "short");
  EXPECT_EQ(client.Post("/echo", "").body(), "");
  // The handler leaves a 300 kB buffer of 'z' behind; the next bodies must not see it.
  EXPECT_EQ(client.Post("/giveback", "give").body(), "give");
  EXPECT_EQ(client.Post("/echo", "after").body(), "after");
  const std::string mid = Pattern(70000, 'k');
  EXPECT_EQ(client.Post("/echo", mid).body(), mid);
  client.Send(
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n"});
  EXPECT_EQ(client.Read().body(), "abc");
  EXPECT_EQ(server.calls(), 7);
}

TEST(HttpServerTest, ChunkedBodyIsReassembledAcrossReads) {
  EchoServer server;
  Client client(server.port());
  const std::string part1 = Pattern(40000, 'a'), part2 = Pattern(90000, 'b');
  auto hex = [](size_t n) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%zx", n);
    return std::string(buf);
  };
  client.Send({"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
               hex(part1.size()) + "\r\n" + part1.substr(0, 100), part1.substr(100) + "\r\n",
               hex(part2.size()) + "\r\n" + part2 + "\r\n", "0\r\n\r\n"});
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), part1 + part2);
}

TEST(HttpServerTest, OversizedBodyGets413BeforeItIsRead) {
  EchoServer server(/*max_body_bytes=*/1000);
  Client client(server.port());
  EXPECT_EQ(client.Post("/echo", std::string(1000, 'x')).result_int(), 200);
  client.Send(
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'y')});
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("larger than 1000 bytes"), std::string::npos);
  EXPECT_EQ(server.calls(), 1);
}

TEST(HttpServerTest, OversizedChunkedBodyGets413) {
  EchoServer server(/*max_body_bytes=*/1000);
  Client client(server.port());
  client.Send({"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
               "3e8\r\n" + std::string(1000, 'a') + "\r\n", "1\r\nb\r\n0\r\n\r\n"});
  EXPECT_EQ(client.Read().result_int(), 413);
  EXPECT_EQ(server.calls(), 0);
}

TEST(HttpServerTest, TruncatedBodyNeverReachesTheHandler) {
  EchoServer server;
  Client client(server.port());
  client.Send(
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'x')});
  client.ShutdownSend();
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(server.calls(), 0);
}

}  // namespace
}  // namespace periscope
