#include "loadgen/log_http_sender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "base/time.h"
#include "loadgen/load_generator.h"

namespace periscope::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

// A loopback HTTP server that records request bodies and answers 503 to every `fail_every`-th
// request (1-based), else 204 (or 200 with `answer_body`). Thread-safe; stops in the destructor.
class RecordingServer {
 public:
  explicit RecordingServer(int fail_every, std::string answer_body = "")
      : fail_every_(fail_every),
        answer_body_(std::move(answer_body)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RecordingServer() {
    io_.stop();
    thread_.join();
  }
  std::string target() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::multiset<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::set<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }
  int requests() const { return requests_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto conn = std::make_shared<Conn>(std::move(socket));
      Read(conn);
      Accept();
    });
  }
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };
  void Read(std::shared_ptr<Conn> c) {
    c->req = {};
    http::async_read(c->socket, c->buffer, c->req, [this, c](beast::error_code ec, size_t) {
      if (ec) return;
      int n = ++requests_;
      c->res = {};
      c->res.version(11);
      if (fail_every_ > 0 && n % fail_every_ == 0) {
        c->res.result(http::status::service_unavailable);
        c->res.body() = "busy";
      } else {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.insert(c->req.body());
        paths_.insert(std::string(c->req.target()));
        c->res.result(answer_body_.empty() ? http::status::no_content : http::status::ok);
        c->res.body() = answer_body_;
      }
      c->res.prepare_payload();
      http::async_write(c->socket, c->res, [this, c](beast::error_code wec, size_t) {
        if (!wec) Read(c);
      });
    });
  }

  int fail_every_;
  std::string answer_body_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::multiset<std::string> bodies_;
  std::set<std::string> paths_;
  std::atomic<int> requests_{0};
};

// `count` requests with bodies "body-<i>", each carrying 10 items.
class CountingSource : public HttpRequestSource {
 public:
  CountingSource(std::string target, int count) : target_(std::move(target)), count_(count) {}
  std::optional<HttpRequestBytes> Next() override {
    if (next_ >= count_) return std::nullopt;
    std::string body = "body-" + std::to_string(next_++);
    HttpRequestBytes r;
    r.wire = HttpPostHead(target_, "/ingest", "text/plain", "X-Test: 1\r\n", body.size()) + body;
    r.body_size = body.size();
    r.items = 10;
    return r;
  }

 private:
  std::string target_;
  int count_;
  int next_ = 0;
};

LoadRun NewRun() {
  LoadOptions o;
  o.spans_per_request = 10;
  o.duration_seconds = 30;
  return LoadRun(o, MonotonicNanos());
}

TEST(LogHttpSenderTest, DeliversEveryRequestExactlyOnceAndRetriesFailures) {
  RecordingServer server(/*fail_every=*/7);
  CountingSource source(server.target(), 100);
  LoadRun run = NewRun();
  Status status = RunHttpRequests(server.target(), 3, source, {}, run);
  ASSERT_TRUE(status.ok()) << status.ToString();
  LoadReport report = run.Finish(MonotonicNanos());
  EXPECT_EQ(report.spans_acked, 1'000u);
  EXPECT_EQ(report.requests_ok, 100u);
  EXPECT_GT(report.requests_failed, 10u);
  EXPECT_NE(report.first_error.find("HTTP 503"), std::string::npos);
  auto bodies = server.bodies();
  EXPECT_EQ(bodies.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(bodies.count("body-" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(server.paths(), std::set<std::string>{"/ingest"});
}

TEST(LogHttpSenderTest, RejectedItemsAreNotCountedAsAcked) {
  RecordingServer server(/*fail_every=*/0, "rejected=3");
  CountingSource source(server.target(), 20);
  LoadRun run = NewRun();
  HttpAnswerRules rules{
      [](std::string_view body) -> uint64_t { return body == "rejected=3" ? 3 : 0; }};
  ASSERT_TRUE(RunHttpRequests(server.target(), 2, source, rules, run).ok());
  LoadReport report = run.Finish(MonotonicNanos());
  EXPECT_EQ(report.requests_ok, 20u);
  EXPECT_EQ(report.spans_acked, 20u * 7);
}

TEST(LogHttpSenderTest, BadTargetIsInvalidArgument) {
  CountingSource source("x", 1);
  LoadRun run = NewRun();
  EXPECT_FALSE(RunHttpRequests("no-port", 1, source, {}, run).ok());
  EXPECT_FALSE(RunHttpRequests("127.0.0.1:1", 0, source, {}, run).ok());
}

TEST(LogHttpSenderTest, HeadNamesPathTypeHeadersAndLength) {
  EXPECT_EQ(HttpPostHead("h:1", "/api/v1/write", "application/x-protobuf",
                         "Content-Encoding: snappy\r\n", 42),
            "POST /api/v1/write HTTP/1.1\r\nHost: h:1\r\nUser-Agent: periscope-load\r\n"
            "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
            "Content-Length: 42\r\n\r\n");
}

}  // namespace
}  // namespace periscope::loadgen
