#include "ingest/dogstatsd/dogstatsd_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace periscope {
namespace {

DogStatsdMetric ParseOk(std::string_view line) {
  DogStatsdMetric m;
  auto kind = ParseDogStatsdLine(line, &m);
  EXPECT_TRUE(kind.ok()) << line << ": " << kind.status().ToString();
  if (kind.ok()) {
    EXPECT_EQ(*kind, DogStatsdLineKind::kMetric);
  }
  return m;
}

bool Malformed(std::string_view line) {
  DogStatsdMetric m;
  return !ParseDogStatsdLine(line, &m).ok();
}

TEST(DogStatsdParserTest, ParsesEveryMetricType) {
  const std::pair<const char*, DogStatsdType> cases[] = {
      {"a:1|c", DogStatsdType::kCounter}, {"a:1|g", DogStatsdType::kGauge},
      {"a:1|ms", DogStatsdType::kTimer},  {"a:1|h", DogStatsdType::kHistogram},
      {"a:x|s", DogStatsdType::kSet},     {"a:1|d", DogStatsdType::kDistribution},
  };
  for (const auto& [line, type] : cases) EXPECT_EQ(ParseOk(line).type, type) << line;
}

TEST(DogStatsdParserTest, ParsesValuesRateTagsTimestampAndIgnoresContainer) {
  DogStatsdMetric m = ParseOk(
      "page.views:1.5:-2:+3e2|h|@0.25|#service:web,env:prod,beta|T1700000000|c:abc123|card:low|e:"
      "it-1");
  EXPECT_EQ(m.name, "page.views");
  EXPECT_EQ(m.values, (std::vector<double>{1.5, -2, 300}));
  EXPECT_DOUBLE_EQ(m.sample_rate, 0.25);
  EXPECT_EQ(m.tags, (std::vector<std::string_view>{"service:web", "env:prod", "beta"}));
  EXPECT_EQ(m.timestamp_s, 1700000000);
}

TEST(DogStatsdParserTest, SetMembersStayStrings) {
  DogStatsdMetric m = ParseOk("users.uniq:alice:bob|s|#a:b");
  EXPECT_EQ(m.members, (std::vector<std::string_view>{"alice", "bob"}));
  EXPECT_TRUE(m.values.empty());
}

TEST(DogStatsdParserTest, ReusedMetricIsReset) {
  DogStatsdMetric m;
  ASSERT_TRUE(ParseDogStatsdLine("a:1|c|@0.5|#x:y|T5", &m).ok());
  ASSERT_TRUE(ParseDogStatsdLine("b:2|g", &m).ok());
  EXPECT_EQ(m.values, std::vector<double>{2});
  EXPECT_DOUBLE_EQ(m.sample_rate, 1.0);
  EXPECT_TRUE(m.tags.empty());
  EXPECT_EQ(m.timestamp_s, 0);
}

TEST(DogStatsdParserTest, RejectsMalformedLines) {
  for (const char* line : {"novalue", ":1|c", "a:1", "a:1|", "a:1|x", "a:|c", "a:1::2|c", "a:abc|g",
                           "a:1|c|@0", "a:1|c|@1.5", "a:1|c|@x", "a:1|c|Tnope", "a:1|c|T-5",
                           "a:1|c|zzz", "a:1|c|Card:x", ":x", "a:nan|g", "a:inf|g", "a:1e999|g"}) {
    EXPECT_TRUE(Malformed(line)) << line;
  }
}

TEST(DogStatsdParserTest, ParsesEventsAndServiceChecks) {
  DogStatsdMetric m;
  auto e = ParseDogStatsdLine("_e{5,4}:title|text|d:1700000000|#env:prod", &m);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(*e, DogStatsdLineKind::kEvent);
  auto sc = ParseDogStatsdLine("_sc|db.up|0|#env:prod|m:fine", &m);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(*sc, DogStatsdLineKind::kServiceCheck);
  for (const char* line : {"_e{5,4}:tit|text", "_e{x,4}:title|text", "_e{5,4}title|text",
                           "_e{5,2}:title|text", "_sc|db.up|7", "_sc||0", "_sc|db"}) {
    EXPECT_TRUE(Malformed(line)) << line;
  }
}

TEST(DogStatsdParserTest, PacketCountsLinesAndSkipsMalformed) {
  std::vector<std::string> names;
  const auto st =
      ParseDogStatsdPacket("a:1|c\nbroken\r\n\nb:2|g\r\n_e{1,1}:t|x\n_sc|s|1\nc:3|zz\nd:4|d",
                           [&](const DogStatsdMetric& m) { names.emplace_back(m.name); });
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(st.metric_lines, 3u);
  EXPECT_EQ(st.events, 1u);
  EXPECT_EQ(st.service_checks, 1u);
  EXPECT_EQ(st.malformed, 2u);
}

TEST(DogStatsdParserTest, ParsesDatagramsCapturedFromHotShots) {
  // hot-shots 17 (npm) output for increment/gauge/histogram/timing/distribution/set, a
  // timestamped gauge, an event and a service check, with global tags.
  const char* lines[] = {
      "a.count:2|c|@0.5|#env:prod,service:web,flag",
      "a.gauge:3.5|g|#env:prod,version:1.0",
      "a.hist:12|h|#env:prod",
      "a.time:7|ms|#env:prod",
      "a.dist:9|d|#env:prod",
      "a.set:alice|s|#env:prod",
      "a.ts:1|g|T1700000000|#env:prod",
      "_e{5,9}:title|text here|t:error|#env:prod,x:y",
      "_sc|svc.up|0|#env:prod|m:fine",
  };
  std::string packet;
  for (const char* line : lines) packet += std::string(line) + "\n";
  std::vector<std::string> names;
  const auto st = ParseDogStatsdPacket(packet, [&](const DogStatsdMetric& m) {
    names.emplace_back(m.name);
    EXPECT_FALSE(m.tags.empty());
  });
  EXPECT_EQ(st.malformed, 0u);
  EXPECT_EQ(st.metric_lines, 7u);
  EXPECT_EQ(st.events, 1u);
  EXPECT_EQ(st.service_checks, 1u);
  EXPECT_EQ(names.front(), "a.count");
}

TEST(DogStatsdParserTest, ArbitraryBytesNeverCrash) {
  uint64_t x = 42;
  std::string packet;
  const char alphabet[] = "ab.:|@#,Tc1-e{}_\n0.5gmshd";
  for (int round = 0; round < 20000; ++round) {
    packet.clear();
    const int len = static_cast<int>(x % 40);
    for (int i = 0; i < len; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      packet += alphabet[x % (sizeof(alphabet) - 1)];
    }
    size_t seen = 0;
    const auto st = ParseDogStatsdPacket(packet, [&](const DogStatsdMetric& m) {
      EXPECT_FALSE(m.name.empty());
      ++seen;
    });
    EXPECT_EQ(st.metric_lines, seen);
  }
}

}  // namespace
}  // namespace periscope
