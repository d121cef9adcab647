#include "loadgen/log_workload.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "base/time.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace periscope::loadgen {
namespace {

using ::opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

LogCorpus TestCorpus() {
  return LogCorpus::FromLines({
      {"hdfs",
       {"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
        "blk_38865049064139660 terminating",
        "081109 203807 222 WARN dfs.DataNode: block blk_38865049064139660 slow"}},
      {"openssh",
       {"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
        "Dec 10 06:55:47 LabSZ sshd[24200]: Connection closed by 173.234.31.186",
        "Dec 10 06:55:48 LabSZ sshd[24202]: error: Received disconnect"}},
  });
}

LogWorkloadOptions Options() {
  LogWorkloadOptions o;
  o.seed = 5;
  o.total_lines = 5'000;
  o.lines_per_request = 300;
  o.time_base_ns = 1'795'000'000'000'000'000;
  o.line_interval_ns = 1'000;
  return o;
}

std::string Attribute(const ExportLogsServiceRequest& r, std::string_view key) {
  for (const auto& kv : r.resource_logs(0).resource().attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return "";
}

TEST(LogWorkloadTest, RequestsAreOtlpLogsWithServiceSeverityTimesAndIds) {
  LogCorpus corpus = TestCorpus();
  LogWorkload workload(corpus, Options());
  std::string body, raw;
  uint64_t lines = 0, traced = 0;
  int64_t last_time = 0;
  std::vector<std::string> bodies;
  std::vector<std::string> services;
  for (int k = 0; size_t n = workload.NextRequest(&body, &raw); ++k) {
    ExportLogsServiceRequest request;
    ASSERT_TRUE(request.ParseFromString(body)) << "request " << k;
    ASSERT_EQ(request.resource_logs_size(), 1);
    std::string service = Attribute(request, "service.name");
    EXPECT_EQ(service, k % 2 == 0 ? "hdfs" : "openssh");
    EXPECT_EQ(Attribute(request, "host.name"), service + "-01");
    const auto& records = request.resource_logs(0).scope_logs(0).log_records();
    ASSERT_EQ(static_cast<size_t>(records.size()), n);
    for (const auto& r : records) {
      EXPECT_EQ(static_cast<int64_t>(r.time_unix_nano()),
                Options().time_base_ns + static_cast<int64_t>(lines) * 1000);
      EXPECT_GT(static_cast<int64_t>(r.time_unix_nano()), last_time);
      last_time = static_cast<int64_t>(r.time_unix_nano());
      const std::string& text = r.body().string_value();
      if (text.find(" INFO ") != std::string::npos) {
        EXPECT_EQ(r.severity_number(), 9);
        EXPECT_EQ(r.severity_text(), "INFO");
      }
      if (text.find("Invalid user") != std::string::npos) {
        EXPECT_EQ(r.severity_number(), 0);
      }
      if (!r.trace_id().empty()) {
        ++traced;
        EXPECT_EQ(r.trace_id().size(), 16u);
        EXPECT_EQ(r.span_id().size(), 8u);
      } else {
        EXPECT_TRUE(r.span_id().empty());
      }
      bodies.push_back(text);
      services.push_back(service);
      ++lines;
    }
  }
  EXPECT_EQ(lines, 5'000u);
  EXPECT_EQ(workload.lines_done(), 5'000u);
  EXPECT_NEAR(static_cast<double>(traced) / 5'000, 0.2, 0.03);
  // Ids vary between passes over a data set; words stay.
  std::set<std::string> distinct(bodies.begin(), bodies.end());
  EXPECT_GT(distinct.size(), 1'000u);
  EXPECT_NE(bodies[0].find("PacketResponder 1 for block blk_"), std::string::npos);
  // The text form has the same lines, in order.
  std::istringstream in(raw);
  std::string line;
  size_t i = 0;
  while (std::getline(in, line)) {
    ASSERT_LT(i, bodies.size());
    std::string prefix = FormatRfc3339(Options().time_base_ns + static_cast<int64_t>(i) * 1000) +
                         " " + services[i] + " ";
    EXPECT_EQ(line.substr(0, prefix.size()), prefix);
    EXPECT_EQ(line.substr(line.size() - bodies[i].size()), bodies[i]);
    ++i;
  }
  EXPECT_EQ(i, 5'000u);
}

TEST(LogWorkloadTest, SameOptionsGiveTheSameBytesAndSeedsDiffer) {
  LogCorpus corpus = TestCorpus();
  LogWorkload a(corpus, Options()), b(corpus, Options());
  LogWorkloadOptions other = Options();
  other.seed = 6;
  LogWorkload c(corpus, other);
  std::string ba, bb, bc;
  bool differs = false;
  while (a.NextRequest(&ba, nullptr) > 0) {
    ASSERT_GT(b.NextRequest(&bb, nullptr), 0u);
    ASSERT_GT(c.NextRequest(&bc, nullptr), 0u);
    EXPECT_EQ(ba, bb);
    differs |= ba != bc;
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(b.NextRequest(&bb, nullptr), 0u);
}

TEST(LogWorkloadTest, StopsAtTotalLinesWithAPartialLastRequest) {
  LogCorpus corpus = TestCorpus();
  LogWorkloadOptions o = Options();
  o.total_lines = 650;
  LogWorkload workload(corpus, o);
  std::string body;
  EXPECT_EQ(workload.NextRequest(&body, nullptr), 300u);
  EXPECT_EQ(workload.NextRequest(&body, nullptr), 300u);
  EXPECT_EQ(workload.NextRequest(&body, nullptr), 50u);
  EXPECT_EQ(workload.NextRequest(&body, nullptr), 0u);
  EXPECT_TRUE(body.empty());
  EXPECT_EQ(workload.requests_done(), 3u);
}

}  // namespace
}  // namespace periscope::loadgen
