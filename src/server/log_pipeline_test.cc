#include "server/log_pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/time.h"
#include "server/signal_store.h"
#include "server/store_testing.h"

namespace periscope {
namespace {

using testing::CountLogs;
using testing::LogsRequest;

TEST(LogPipelineTest, AcknowledgedLogsSurviveRestartAndFlush) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("log_pipeline_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  SignalStoreOptions options;
  options.data_dir = dir.string();
  options.wal_fsync = false;
  const int64_t now = NowNanos();
  {
    auto s = SignalStore::Open(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto d = DecodeLogsProtobuf(LogsRequest(10, now), "default", now);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*s)->logs().Ingest(std::move(d).value()).ok());
    EXPECT_EQ(CountLogs((*s)->logs().table()), 10u);
    EXPECT_EQ((*s)->wal().last_seq(), 1u);
    EXPECT_FALSE(std::filesystem::exists(dir / "wal-logs"));
  }
  {
    // The destructor flushed: the rows are in a part now, and the WAL replays nothing twice.
    auto s = SignalStore::Open(options);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->logs().table().part_count(), 1u);
    EXPECT_EQ(CountLogs((*s)->logs().table()), 10u);
    auto d = DecodeLogsProtobuf(LogsRequest(5, now + 100), "default", now);
    ASSERT_TRUE((*s)->logs().Ingest(std::move(d).value()).ok());
    EXPECT_EQ(CountLogs((*s)->logs().table()), 15u);
  }
  auto s = SignalStore::Open(options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(CountLogs((*s)->logs().table()), 15u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace periscope
