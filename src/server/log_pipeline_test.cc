#include "server/log_pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/time.h"
#include "query/logs/log_search.h"

namespace periscope {
namespace {

namespace pb = opentelemetry::proto::collector::logs::v1;

std::string Request(int n, int64_t base) {
  pb::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* a = rl->mutable_resource()->add_attributes();
  a->set_key("service.name");
  a->mutable_value()->set_string_value("svc");
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < n; ++i) {
    auto* rec = sl->add_log_records();
    rec->set_time_unix_nano(static_cast<uint64_t>(base + i));
    rec->mutable_body()->set_string_value("line number " + std::to_string(i) + " ok");
  }
  return req.SerializeAsString();
}

size_t CountAll(const LogTable& table) {
  LogSearchRequest req;
  req.limit = 100000;
  auto r = SearchLogs(table, req);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->rows.size() : 0;
}

TEST(LogPipelineTest, AcknowledgedLogsSurviveRestartAndFlush) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("log_pipeline_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  LogPipelineOptions options;
  options.data_dir = dir.string();
  options.wal_fsync = false;
  const int64_t now = NowNanos();
  {
    auto p = LogPipeline::Open(options);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    auto d = DecodeLogsProtobuf(Request(10, now), "default", now);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*p)->Ingest(std::move(d).value()).ok());
    EXPECT_EQ(CountAll((*p)->table()), 10u);
    EXPECT_TRUE(std::filesystem::exists(dir / "wal-logs"));
  }
  {
    // The destructor flushed: the rows are in a part now, and the WAL replays nothing twice.
    auto p = LogPipeline::Open(options);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ((*p)->table().part_count(), 1u);
    EXPECT_EQ(CountAll((*p)->table()), 10u);
    auto d = DecodeLogsProtobuf(Request(5, now + 100), "default", now);
    ASSERT_TRUE((*p)->Ingest(std::move(d).value()).ok());
    EXPECT_EQ(CountAll((*p)->table()), 15u);
  }
  auto p = LogPipeline::Open(options);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(CountAll((*p)->table()), 15u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace periscope
