#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "storage/logs/log_part.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"
#include "storage/logs/token_hash_set.h"

namespace periscope {
namespace {

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("log_part_writer_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::set<uint64_t> AsSet(const std::vector<uint64_t>& v) { return {v.begin(), v.end()}; }

// The token hashes a bloom must hold for `texts` (what the writer gave before the set).
std::set<uint64_t> ExpectedTokens(const std::vector<std::string>& texts, bool numeric) {
  std::set<uint64_t> out;
  for (const auto& t : texts) {
    logs::ForEachToken(t, [&](std::string_view tok) {
      if (numeric || logs::IsFormat1BloomToken(tok)) out.insert(logs::TokenHash(tok));
    });
  }
  return out;
}

const std::vector<std::string>& AwkwardTexts() {
  static const std::vector<std::string> texts = {
      "took 17 ms for blk_123 at 0042",
      "took 9 ms for blk_7 at 0001",
      "Took 9 MS for BLK_7 at 0001",
      "no digits here",
      "\x11 literal 42 Word",
      "\x11 literal 42 Word",
      "",
      "18446744073709551615 99999999999999999999 0 007",
      "user=Alice_3 id=9F4EF63 ip 10.0.0.1:8080 took 17 ms for blk_124 at 0043",
  };
  return texts;
}

TEST(TokenHashSetTest, KeepsEachHashOnceAcrossGrowthAndTake) {
  logs::TokenHashSet set;
  std::vector<uint64_t> expected;
  for (uint64_t i = 0; i < 5000; ++i) {
    const uint64_t h = i * 0x9E3779B97F4A7C15ull;  // includes 0
    set.Insert(h);
    set.Insert(h);
    expected.push_back(h);
  }
  EXPECT_EQ(set.size(), expected.size());
  EXPECT_EQ(set.Take(), expected);  // insertion order
  EXPECT_EQ(set.size(), 0u);
  set.Insert(0);
  set.Insert(7);
  set.Insert(0);
  EXPECT_EQ(set.Take(), (std::vector<uint64_t>{0, 7}));
}

TEST(TokenHashSetTest, InsertTokensLowercasesAndFiltersNumbers) {
  logs::TokenHashSet set;
  set.InsertTokens("GET /Api/v2 200 user_ID", /*numeric_tokens=*/false);
  EXPECT_EQ(AsSet(set.Take()), ExpectedTokens({"GET /Api/v2 200 user_ID"}, false));
  set.InsertTokens("GET /Api/v2 200 user_ID", /*numeric_tokens=*/true);
  const auto all = AsSet(set.Take());
  EXPECT_EQ(all, ExpectedTokens({"GET /Api/v2 200 user_ID"}, true));
  EXPECT_TRUE(all.count(logs::TokenHash("200")));
  EXPECT_TRUE(all.count(logs::TokenHash("user_id")));
}

TEST(TemplateCodecTest, CollectsEveryTokenOfItsTexts) {
  for (bool numeric : {true, false}) {
    for (bool split : {true, false}) {
      logs::TemplateWriter w(split);
      logs::TokenHashSet tokens;
      for (const auto& t : AwkwardTexts()) w.Add(t, &tokens, numeric);
      EXPECT_EQ(AsSet(tokens.Take()), ExpectedTokens(AwkwardTexts(), numeric))
          << "numeric " << numeric << " split " << split;
    }
  }
  // A text first added without tokens (a bytes body) still gives its tokens when a later text
  // shares its template.
  logs::TemplateWriter w;
  logs::TokenHashSet tokens;
  w.Add("disk 7 full", nullptr);
  w.Add("disk 8 full", &tokens);
  EXPECT_EQ(AsSet(tokens.Take()), ExpectedTokens({"disk 8 full"}, true));
}

TEST(TemplateCodecTest, ClearStartsAFreshColumn) {
  const std::vector<std::string> first = {"a 1 b", "c 2 d", "a 3 b", "x7y z"};
  logs::TemplateWriter reused;
  for (const auto& t : first) reused.Add(t);
  reused.Finish();
  reused.Clear();
  logs::TemplateWriter fresh;
  logs::TokenHashSet t1, t2;
  for (const auto& t : AwkwardTexts()) {
    reused.Add(t, &t1);
    fresh.Add(t, &t2);
  }
  const auto a = reused.Finish(), b = fresh.Finish();
  EXPECT_EQ(a.templates, b.templates);
  EXPECT_EQ(a.ints, b.ints);
  EXPECT_EQ(a.strings, b.strings);
  EXPECT_EQ(AsSet(t1.Take()), AsSet(t2.Take()));
  std::vector<std::string> out;
  ASSERT_TRUE(
      logs::DecodeTemplates(a.templates, a.ints, a.strings, AwkwardTexts().size(), &out).ok());
  EXPECT_EQ(out, AwkwardTexts());
}

TEST(TemplateCodecTest, DictionaryAndPlainStringSlotsRoundTrip) {
  // One template whose string slot repeats (dictionary) and one whose slot never does (plain).
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) {
    texts.push_back("host h" + std::to_string(i % 3) + "x up");
    texts.push_back("id " + std::to_string(i) + "abc seen");
  }
  logs::TemplateWriter w;
  for (const auto& t : texts) w.Add(t);
  const auto s = w.Finish();
  std::vector<std::string> out;
  ASSERT_TRUE(logs::DecodeTemplates(s.templates, s.ints, s.strings, texts.size(), &out).ok());
  EXPECT_EQ(out, texts);
}

LogBatch ServiceBatch(const std::vector<std::string>& services, int rows, int64_t base, int seed) {
  LogBatch b;
  for (const auto& svc : services) {
    Resource r;
    r.attributes.push_back({"service.name", AnyValue::String(svc)});
    r.tags = ExtractUnifiedTags(r.attributes);
    b.resources.push_back(r);
  }
  b.scopes.emplace_back();
  for (int i = 0; i < rows; ++i) {
    const size_t row = b.AddRow(static_cast<uint32_t>(i % services.size()), 0);
    b.time_ns[row] = base + (i % 7) * 1000;  // out of order, with equal times
    const int v = (i * 7919 + seed) % 100003;
    b.body[row] = AnyValue::String("Req " + std::to_string(v) + " user_" + std::to_string(v % 13) +
                                   " took " + std::to_string(v % 977) +
                                   "ms seq=" + std::to_string(i) + "/" + std::to_string(seed));
    if (i % 11 == 0) b.body[row] = AnyValue::Int(v);
    if (i % 5 == 0) b.trace_id[row].bytes[static_cast<size_t>(i % 16)] = static_cast<uint8_t>(i);
    if (i % 3 == 0)
      b.attributes[row].push_back({"Peer", AnyValue::String("node-" + std::to_string(v % 9))});
  }
  return b;
}

TEST(LogPartWriterTest, BloomHoldsEveryTokenOfEveryRow) {
  const std::string dir = TempDir("bloom");
  const LogBatch a = ServiceBatch({"api", "db"}, 2000, 5'000'000, 1);
  const LogBatch b = ServiceBatch({"db", "web"}, 1500, 4'000'000, 2);
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", {&a, &b}, LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  size_t rows = 0;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    for (size_t r = 0; r < block.size(); ++r, ++rows) {
      std::vector<uint64_t> hashes;
      auto add = [&](std::string_view text) {
        logs::ForEachToken(text, [&](std::string_view t) { hashes.push_back(logs::TokenHash(t)); });
      };
      add(block.body[r].ToString());
      for (const auto& kv : block.attributes[r]) add(kv.value.str);
      if (!block.trace_id[r].IsZero()) hashes.push_back(logs::TokenHash(block.trace_id[r].Hex()));
      ASSERT_TRUE((*part)->BlockMayContainAll(i, hashes)) << block.body[r].ToString();
    }
  }
  EXPECT_EQ(rows, a.size() + b.size());
  std::filesystem::remove_all(dir);
}

TEST(LogPartWriterTest, SortsStablyByServiceThenTime) {
  const std::string dir = TempDir("sort");
  const LogBatch a = ServiceBatch({"b-svc", "a-svc"}, 400, 9'000'000, 1);
  const LogBatch b = ServiceBatch({"a-svc"}, 300, 1'000'000, 2);
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", {&a, &b}, LogPartMeta()).ok());
  // The expected order: a stable sort of every row (batch a, then b) by (service, time).
  struct Row {
    std::string service;
    int64_t time;
    std::string body;
  };
  std::vector<Row> expected;
  for (const LogBatch* src : {&a, &b}) {
    for (size_t r = 0; r < src->size(); ++r) {
      expected.push_back({src->tags(r).service, src->time_ns[r], src->body[r].ToString()});
    }
  }
  std::stable_sort(expected.begin(), expected.end(), [](const Row& x, const Row& y) {
    return std::tie(x.service, x.time) < std::tie(y.service, y.time);
  });
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->meta().services, (std::vector<std::string>{"a-svc", "b-svc"}));
  EXPECT_EQ((*part)->meta().min_time_ns, 1'000'000);
  EXPECT_EQ((*part)->meta().max_time_ns, 9'006'000);
  size_t k = 0;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    for (size_t r = 0; r < block.size(); ++r, ++k) {
      ASSERT_LT(k, expected.size());
      EXPECT_EQ(block.tags(r).service, expected[k].service) << k;
      EXPECT_EQ(block.time_ns[r], expected[k].time) << k;
      EXPECT_EQ(block.body[r].ToString(), expected[k].body) << k;
    }
  }
  EXPECT_EQ(k, expected.size());
  std::filesystem::remove_all(dir);
}

// The writer keeps scratch memory per thread from one part to the next: nothing of one part
// (options, templates, tokens) may leak into the next.
TEST(LogPartWriterTest, SuccessivePartsOnOneThreadAreIndependent) {
  const std::string dir = TempDir("succession");
  const LogBatch a = ServiceBatch({"api", "db"}, 3000, 5'000'000, 1);
  const LogBatch b = ServiceBatch({"web"}, 200, 4'000'000, 3);
  LogPartWriteOptions plain;
  plain.split_variables = false;
  plain.format_version = 1;
  plain.zstd_level = 1;
  ASSERT_TRUE(WriteLogPart(dir + "/b1.lgp", {&b}, LogPartMeta(), plain).ok());
  ASSERT_TRUE(WriteLogPart(dir + "/a.lgp", {&a}, LogPartMeta()).ok());
  ASSERT_TRUE(WriteLogPart(dir + "/b2.lgp", {&b}, LogPartMeta(), plain).ok());
  ASSERT_TRUE(WriteLogPart(dir + "/a2.lgp", {&a}, LogPartMeta()).ok());
  EXPECT_EQ(ReadFile(dir + "/b1.lgp"), ReadFile(dir + "/b2.lgp"));
  EXPECT_EQ(ReadFile(dir + "/a.lgp"), ReadFile(dir + "/a2.lgp"));
  auto part = LogPart::Open(dir + "/b2.lgp");
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->format_version(), 1u);
  LogBatch block;
  ASSERT_TRUE((*part)->ReadBlock(0, &block).ok());
  ASSERT_EQ(block.size(), b.size());
  std::filesystem::remove_all(dir);
}

TEST(LogPartWriterTest, FailsCleanlyWhenTheDirectoryIsMissing) {
  const LogBatch b = ServiceBatch({"web"}, 10, 1, 1);
  const std::string path = "/nonexistent-dir-for-log-part-test/p.lgp";
  const Status st = WriteLogPart(path, {&b}, LogPartMeta());
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace periscope
