#include "server/dogstatsd_receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/time.h"
#include "model/metric_labels.h"
#include "server/signal_store.h"

namespace periscope {
namespace {

class DogStatsdReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dogstatsd_receiver_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    SignalStoreOptions o;
    o.data_dir = dir_.string();
    o.wal_fsync = false;
    auto p = SignalStore::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    store_ = std::move(*p);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static void SendUdp(uint16_t port, std::string_view packet) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                     sizeof(addr)),
              static_cast<ssize_t>(packet.size()));
    ::close(fd);
  }

  // The newest value of the series named `name` (with `label`=`value` when given), or NaN.
  double Latest(const std::string& name, const std::string& label = "",
                const std::string& value = "") {
    std::vector<LabelMatcher> matchers;
    matchers.push_back(*LabelMatcher::Make("__name__", MatchOp::kEqual, name));
    if (!label.empty()) matchers.push_back(*LabelMatcher::Make(label, MatchOp::kEqual, value));
    auto r = store_->metrics().table().Select("default", matchers, 0, INT64_MAX);
    if (!r.ok() || r->size() != 1 || (*r)[0].series.values.empty()) return std::nan("");
    return (*r)[0].series.values.back();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SignalStore> store_;
};

TEST_F(DogStatsdReceiverTest, UdpPacketsAreAggregatedAndQueryableAfterFlush) {
  DogStatsdOptions o;
  o.listen = "127.0.0.1:0";
  o.flush_interval_ns = 200LL * 1000000;
  DogStatsdReceiver receiver(o, store_->metrics());
  ASSERT_TRUE(receiver.Start().ok());
  ASSERT_NE(receiver.port(), 0);
  SendUdp(receiver.port(),
          "shop.orders:2|c|#service:checkout,env:prod\nshop.orders:1|c|@0.5|#env:prod,"
          "service:checkout\nshop.temp:21.5|g\nbad line\nshop.users:a:b:a|s\n"
          "shop.lat:10:20:30|ms\n_e{2,2}:ab|cd\n_sc|x|0");
  const int64_t deadline = MonotonicNanos() + 5LL * 1000000000;
  while (std::isnan(Latest("shop_lat_max")) && MonotonicNanos() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_DOUBLE_EQ(Latest("shop_orders", "service", "checkout"), 4);
  EXPECT_DOUBLE_EQ(Latest("shop_temp"), 21.5);
  EXPECT_DOUBLE_EQ(Latest("shop_users"), 2);
  EXPECT_DOUBLE_EQ(Latest("shop_lat_count"), 3);
  EXPECT_DOUBLE_EQ(Latest("shop_lat_avg"), 20);
  EXPECT_DOUBLE_EQ(Latest("shop_lat_max"), 30);
  // The counter keeps its running total across flushes.
  SendUdp(receiver.port(), "shop.orders:6|c|#service:checkout,env:prod");
  while (Latest("shop_orders", "env", "prod") != 10 && MonotonicNanos() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_DOUBLE_EQ(Latest("shop_orders", "env", "prod"), 10);
  receiver.Stop();
}

TEST_F(DogStatsdReceiverTest, StopFlushesPendingIntervalDurably) {
  DogStatsdOptions o;
  o.listen = "127.0.0.1:0";
  o.flush_interval_ns = 3600LL * 1000000000;
  {
    DogStatsdReceiver receiver(o, store_->metrics());
    ASSERT_TRUE(receiver.Start().ok());
    SendUdp(receiver.port(), "pending.gauge:42|g|#host:h1");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_TRUE(std::isnan(Latest("pending_gauge")));
    receiver.Stop();
  }
  EXPECT_DOUBLE_EQ(Latest("pending_gauge", "host", "h1"), 42);
  // Durable: replayed from the WAL by a new pipeline on the same directory.
  store_.reset();
  SignalStoreOptions po;
  po.data_dir = dir_.string();
  po.wal_fsync = false;
  auto p = SignalStore::Open(po);
  ASSERT_TRUE(p.ok());
  store_ = std::move(*p);
  EXPECT_DOUBLE_EQ(Latest("pending_gauge", "host", "h1"), 42);
}

TEST_F(DogStatsdReceiverTest, UnixDatagramSocket) {
  DogStatsdOptions o;
  o.listen = "";
  o.unix_socket_path = (dir_ / "dsd.sock").string();
  o.flush_interval_ns = 3600LL * 1000000000;
  DogStatsdReceiver receiver(o, store_->metrics());
  ASSERT_TRUE(receiver.Start().ok()) << o.unix_socket_path;
  EXPECT_EQ(receiver.port(), 0);
  const int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, o.unix_socket_path.c_str(), sizeof(addr.sun_path) - 1);
  const std::string packet = "uds.hits:3|c";
  ASSERT_EQ(
      sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
      static_cast<ssize_t>(packet.size()));
  ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  receiver.Stop();
  EXPECT_DOUBLE_EQ(Latest("uds_hits"), 3);
  EXPECT_FALSE(std::filesystem::exists(o.unix_socket_path));
}

TEST_F(DogStatsdReceiverTest, BadListenAddressFailsStart) {
  for (const char* listen : {"nohost", "127.0.0.1:99999", "not-an-ip:8125", "127.0.0.1:x"}) {
    DogStatsdOptions o;
    o.listen = listen;
    DogStatsdReceiver receiver(o, store_->metrics());
    EXPECT_FALSE(receiver.Start().ok()) << listen;
  }
}

}  // namespace
}  // namespace periscope
