#include "server/otlp_logs_receiver.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <filesystem>

#include "api/http_server.h"
#include "base/time.h"
#include "server/signal_store.h"
#include "server/store_testing.h"

namespace periscope {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using testing::CountLogs;
using testing::LogsRequest;

std::string Gzip(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A store, the OTLP/HTTP logs route and an HTTP server on a free loopback port.
class OtlpLogsReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("otlp_logs_receiver_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    SignalStoreOptions options;
    options.data_dir = dir_.string();
    options.wal_fsync = false;
    auto store = SignalStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    OtlpHttpOptions http_options;
    http_options.max_decoded_bytes = 64 * 1024;
    RegisterOtlpLogsHttpReceiver(router_, store_->logs(), http_options);
    HttpServerOptions server_options;
    server_options.listen = "127.0.0.1:0";
    server_options.io_threads = 1;
    server_options.worker_threads = 2;
    server_ = std::make_unique<HttpServer>(server_options, router_);
    ASSERT_TRUE(server_->Start().ok());
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Posts on the one keep-alive connection; returns the status.
  int Post(const std::string& body, const std::string& encoding) {
    http::request<http::string_body> req{http::verb::post, "/v1/logs", 11};
    req.set(http::field::host, "x");
    req.set(http::field::content_type, "application/x-protobuf");
    if (!encoding.empty()) req.set(http::field::content_encoding, encoding);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return res.result_int();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SignalStore> store_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  beast::flat_buffer buffer_;
};

TEST_F(OtlpLogsReceiverTest, GzipAndPlainBodiesShareOneConnection) {
  const int64_t now = NowNanos();
  // A plain body first: its buffer goes back to the connection and the gzip body after it is
  // read into it; the smaller plain body last must not see the bytes of either.
  ASSERT_EQ(Post(LogsRequest(200, now), ""), 200);
  ASSERT_EQ(Post(Gzip(LogsRequest(300, now + 1000)), "gzip"), 200);
  ASSERT_EQ(Post(LogsRequest(7, now + 5000), ""), 200);
  EXPECT_EQ(CountLogs(store_->logs().table()), 507u);
}

TEST_F(OtlpLogsReceiverTest, GzipBodyPastTheDecodedLimitGets413) {
  const int64_t now = NowNanos();
  const std::string big = LogsRequest(5000, now);  // > 64 kB once inflated
  const std::string zipped = Gzip(big);
  ASSERT_LT(zipped.size(), 64u * 1024);
  ASSERT_GT(big.size(), 64u * 1024);
  EXPECT_EQ(Post(zipped, "gzip"), 413);
  EXPECT_EQ(Post("not gzip at all", "gzip"), 400);
  EXPECT_EQ(Post(LogsRequest(3, now), ""), 200);
  EXPECT_EQ(CountLogs(store_->logs().table()), 3u);
}

}  // namespace
}  // namespace periscope
