#include "storage/logs/log_part.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "storage/logs/log_block_columns.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/log_testing.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"
#include "storage/logs/token_bloom.h"

namespace periscope {
namespace {

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("log_part_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

LogBatch MixedBatch() {
  LogBatch b;
  for (const char* svc : {"cart", "api"}) {
    Resource r;
    r.attributes.push_back({"service.name", AnyValue::String(svc)});
    r.attributes.push_back({"deployment.environment", AnyValue::String("prod")});
    r.tags = ExtractUnifiedTags(r.attributes);
    b.resources.push_back(r);
  }
  b.scopes.push_back(Scope{"lib", "1.0", {}, 0, ""});
  for (int i = 0; i < 50; ++i) {
    const size_t row = b.AddRow(static_cast<uint32_t>(i % 2), 0);
    b.time_ns[row] = 1'000'000'000LL * (100 - i);
    b.observed_time_ns[row] = i % 3 == 0 ? 0 : b.time_ns[row] - 7;
    b.severity_number[row] = i % 24;
    b.severity_text[row] = i % 2 ? "ERROR" : "info";
    switch (i % 5) {
      case 0:
        b.body[row] = AnyValue::String("user 0042 paid 17 EUR id=9f4ef63 \x11 odd");
        break;
      case 1:
        b.body[row] = AnyValue::Int(-i);
        break;
      case 2:
        b.body[row].type = ValueType::kKvList;
        b.body[row].str = R"({"msg":"structured 12"})";
        break;
      case 3:
        b.body[row] = AnyValue::String("request " + std::to_string(i * 1234567) + " done");
        break;
      default:
        break;  // empty body
    }
    if (i % 4 == 0) {
      b.trace_id[row] = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
      b.span_id[row] = *SpanId::FromHex("0102030405060708");
    }
    b.flags[row] = static_cast<uint32_t>(i % 2);
    b.event_name[row] = i == 7 ? "evt" : "";
    b.attributes[row].push_back({"http.status_code", AnyValue::Int(200 + i)});
    b.attributes[row].push_back({"user", AnyValue::String("Alice_" + std::to_string(i))});
    b.dropped_attributes_count[row] = static_cast<uint32_t>(i % 3);
  }
  return b;
}

// Every row of `b` keyed by its time, in a comparable text form.
std::map<int64_t, std::string> RowsByTime(const LogBatch& b) {
  std::map<int64_t, std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    std::string s = b.tags(i).service + "|" + std::to_string(b.observed_time_ns[i]) + "|" +
                    std::to_string(b.severity_number[i]) + "|" + b.severity_text[i] + "|" +
                    std::to_string(static_cast<int>(b.body[i].type)) + "|" + b.body[i].ToString() +
                    "|" + b.trace_id[i].Hex() + "|" + b.span_id[i].Hex() + "|" +
                    std::to_string(b.flags[i]) + "|" + b.event_name[i] + "|" +
                    std::to_string(b.dropped_attributes_count[i]) + "|" + b.scope(i).name;
    for (const auto& kv : b.attributes[i]) s += "|" + kv.key + "=" + kv.value.ToString();
    out[b.time_ns[i]] = s;
  }
  return out;
}

TEST(LogPartTest, RoundTripsEveryColumn) {
  const std::string dir = TempDir("roundtrip");
  LogBatch in = MixedBatch();
  const auto expected = RowsByTime(in);
  LogPartMeta meta;
  meta.part_id = 3;
  meta.tenant = "t";
  meta.max_wal_seq = 9;
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", in, meta).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  const LogPartMeta& m = (*part)->meta();
  EXPECT_EQ(m.rows, 50u);
  EXPECT_EQ(m.max_wal_seq, 9u);
  EXPECT_EQ(m.min_time_ns, 51'000'000'000LL);
  EXPECT_EQ(m.services, (std::vector<std::string>{"api", "cart"}));
  ASSERT_EQ((*part)->blocks().size(), 2u);  // one block per service
  EXPECT_EQ((*part)->blocks()[0].service, "api");
  LogBatch all;
  int64_t prev = INT64_MIN;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    ASSERT_TRUE(block.IsConsistent());
    prev = INT64_MIN;
    for (int64_t t : block.time_ns) {
      EXPECT_GE(t, prev);  // sorted by time inside a service block
      prev = t;
    }
    all.Append(std::move(block));
  }
  EXPECT_EQ(RowsByTime(all), expected);
}

TEST(LogPartTest, BloomSkipsBlocksWithoutTheToken) {
  const std::string dir = TempDir("bloom");
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", MixedBatch(), LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  auto h = [](std::string_view t) { return logs::TokenHash(t); };
  // "paid" is in bodies of even rows (service cart); "alice_3" an attribute of an odd row (api).
  EXPECT_TRUE((*part)->BlockMayContainAll(1, {h("paid"), h("eur")}));
  EXPECT_TRUE((*part)->BlockMayContainAll(0, {h("alice_3")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(0, {h("alice_4")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(1, {h("alice_3")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(1, {h("nonexistenttokenxyz")}));
}

TEST(LogPartTest, BloomHoldsNumericTokens) {
  const std::string dir = TempDir("numeric_bloom");
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", MixedBatch(), LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->format_version(), logs::kLogFormatVersion);
  EXPECT_TRUE((*part)->BloomHasNumericTokens());
  auto h = [](std::string_view t) { return logs::TokenHash(t); };
  // Row 3 (odd: service api, block 0) says "request 3703701 done", row 8 (cart, block 1)
  // "request 9876536 done".
  EXPECT_TRUE((*part)->BlockMayContainAll(0, {h("3703701")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(1, {h("3703701")}));
  EXPECT_TRUE((*part)->BlockMayContainAll(1, {h("9876536"), h("request")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(0, {h("9876536")}));
}

TEST(LogPartTest, ReadsFormat1Parts) {
  const std::string dir = TempDir("format1");
  LogPartWriteOptions old;
  old.format_version = 1;
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", MixedBatch(), LogPartMeta(), old).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ((*part)->format_version(), 1u);
  EXPECT_FALSE((*part)->BloomHasNumericTokens());
  auto h = [](std::string_view t) { return logs::TokenHash(t); };
  EXPECT_TRUE((*part)->BlockMayContainAll(0, {h("request"), h("done")}));
  EXPECT_FALSE((*part)->BlockMayContainAll(0, {h("3703701")}));  // never added in format 1
  LogBatch all;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    all.Append(std::move(block));
  }
  EXPECT_EQ(RowsByTime(all), RowsByTime(MixedBatch()));
  old.format_version = 3;
  EXPECT_FALSE(WriteLogPart(dir + "/q.lgp", MixedBatch(), LogPartMeta(), old).ok());
}

TEST(LogPartTest, ReadsSelectedRowsOnly) {
  const std::string dir = TempDir("select");
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", MixedBatch(), LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch all;
    ASSERT_TRUE((*part)->ReadBlock(i, &all).ok());
    const std::vector<uint32_t> rows = {1, 2, 7, static_cast<uint32_t>(all.size() - 1)};
    LogBatch some;
    ASSERT_TRUE((*part)->ReadBlockRows(i, rows, &some).ok());
    ASSERT_TRUE(some.IsConsistent());
    LogBatch want;
    want.tenant = all.tenant;
    for (uint32_t r : rows) want.AppendRow(all, r);
    EXPECT_EQ(RowsByTime(some), RowsByTime(want));
    LogBatch none;
    ASSERT_TRUE((*part)->ReadBlockRows(i, {}, &none).ok());
    EXPECT_EQ(none.size(), 0u);
    EXPECT_FALSE((*part)->ReadBlockRows(i, {2, 1}, &none).ok());
    EXPECT_FALSE((*part)->ReadBlockRows(i, {static_cast<uint32_t>(all.size())}, &none).ok());
  }
}

TEST(LogBlockColumnsTest, EachColumnAgreesWithTheDecodedBlock) {
  const std::string dir = TempDir("columns");
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", MixedBatch(), LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  ASSERT_GE((*part)->blocks().size(), 2u);
  // Each block alone, then every block (twice over) through one set of reused buffers.
  LogColumnBuffers buffers;
  for (size_t k = 0; k < 3 * (*part)->blocks().size(); ++k) {
    const size_t i = k % (*part)->blocks().size();
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    std::optional<LogBlockColumns> owned;
    if (k < (*part)->blocks().size()) {
      owned.emplace(**part, i);
    } else {
      owned.emplace(**part, i, &buffers);
    }
    LogBlockColumns& cols = *owned;
    ASSERT_EQ(cols.rows(), block.size());
    auto times = cols.Times();
    ASSERT_TRUE(times.ok());
    EXPECT_EQ(**times, block.time_ns);
    auto classes = cols.SeverityClasses();
    auto resources = cols.ResourceIndexes();
    auto types = cols.BodyTypes();
    auto text_index = cols.TextIndexes();
    auto templates = cols.BodyTemplates(true);
    auto attrs = cols.RowAttributes();
    ASSERT_TRUE(classes.ok() && resources.ok() && types.ok() && text_index.ok() && templates.ok() &&
                attrs.ok());
    EXPECT_EQ(**resources, block.resource_index);
    size_t texts = 0;
    for (size_t r = 0; r < block.size(); ++r) {
      EXPECT_EQ((**classes)[r], block.severity_class(r)) << r;
      EXPECT_EQ(static_cast<ValueType>((**types)[r]), block.body[r].type) << r;
      EXPECT_EQ((**attrs)[r].size(), block.attributes[r].size()) << r;
      if (!IsTemplateBodyType(block.body[r].type)) continue;
      ++texts;
      std::string text;
      (*templates)->AppendText((**text_index)[r], &text);
      EXPECT_EQ(text, block.body[r].str) << r;
    }
    EXPECT_EQ((*templates)->size(), texts);
  }
}

TEST(LogPartTest, WritesSeveralBatchesInPlace) {
  const std::string dir = TempDir("sources");
  // Three batches: the first two share resources (equal values, separate copies), the third has
  // only one of them plus a new service; times interleave across batches.
  LogBatch a = MixedBatch(), b = MixedBatch(), c;
  for (size_t i = 0; i < b.size(); ++i) b.time_ns[i] += 500'000'000;
  c.resources.push_back(a.resources[1]);
  Resource other;
  other.attributes.push_back({"service.name", AnyValue::String("zeta")});
  other.tags = ExtractUnifiedTags(other.attributes);
  c.resources.push_back(other);
  c.scopes.emplace_back();
  for (int i = 0; i < 9; ++i) {
    const size_t row = c.AddRow(static_cast<uint32_t>(i % 2), 0);
    c.time_ns[row] = 1'000'000'000LL * (100 - i) + 250'000'000;
    c.body[row] = AnyValue::String("third " + std::to_string(i));
  }
  const LogBatch a_before = a, b_before = b, c_before = c;
  LogPartMeta meta;
  meta.part_id = 9;
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", {&a, &b, &c}, meta).ok());
  EXPECT_EQ(RowsByTime(a), RowsByTime(a_before));  // the sources are read, not changed
  EXPECT_EQ(RowsByTime(b), RowsByTime(b_before));
  EXPECT_EQ(RowsByTime(c), RowsByTime(c_before));

  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ((*part)->meta().rows, a.size() + b.size() + c.size());
  EXPECT_EQ((*part)->meta().services, (std::vector<std::string>{"api", "cart", "zeta"}));
  EXPECT_EQ((*part)->resources().size(), 3u);  // equal resources stored once
  LogBatch all;
  std::string last_service;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    for (size_t r = 1; r < block.size(); ++r) EXPECT_LE(block.time_ns[r - 1], block.time_ns[r]);
    EXPECT_GE(block.tags(0).service, last_service);
    last_service = block.tags(0).service;
    all.Append(std::move(block));
  }
  LogBatch expected = a_before;
  expected.Append(LogBatch(b_before));
  expected.Append(LogBatch(c_before));
  EXPECT_EQ(RowsByTime(all), RowsByTime(expected));
  // The same rows written from one batch give the same file.
  ASSERT_TRUE(WriteLogPart(dir + "/q.lgp", expected, meta).ok());
  std::ifstream p1(dir + "/p.lgp", std::ios::binary), p2(dir + "/q.lgp", std::ios::binary);
  const std::string bytes1((std::istreambuf_iterator<char>(p1)), {});
  const std::string bytes2((std::istreambuf_iterator<char>(p2)), {});
  EXPECT_EQ(bytes1, bytes2);
  std::filesystem::remove_all(dir);
}

TEST(LogBlockColumnsTest, HasAttributesReadsOnlyTheKeyDictionary) {
  const std::string dir = TempDir("has_attributes");
  LogBatch with = MixedBatch();
  LogBatch without = MixedBatch();
  for (auto& attrs : without.attributes) attrs.clear();
  ASSERT_TRUE(WriteLogPart(dir + "/with.lgp", with, LogPartMeta()).ok());
  ASSERT_TRUE(WriteLogPart(dir + "/without.lgp", without, LogPartMeta()).ok());
  auto p1 = LogPart::Open(dir + "/with.lgp");
  auto p2 = LogPart::Open(dir + "/without.lgp");
  ASSERT_TRUE(p1.ok() && p2.ok());
  for (size_t i = 0; i < (*p1)->blocks().size(); ++i) {
    LogBlockColumns cols(**p1, i);
    auto has = cols.HasAttributes();
    ASSERT_TRUE(has.ok());
    EXPECT_TRUE(*has);
    ASSERT_TRUE(cols.RowAttributes().ok());  // after the raw column was read for HasAttributes
    EXPECT_FALSE((**cols.RowAttributes())[0].empty());
  }
  for (size_t i = 0; i < (*p2)->blocks().size(); ++i) {
    LogBlockColumns cols(**p2, i);
    auto has = cols.HasAttributes();
    ASSERT_TRUE(has.ok());
    EXPECT_FALSE(*has);
  }
  std::filesystem::remove_all(dir);
}

TEST(TemplateCodecTest, TableRebuildsEachTextAlone) {
  const std::vector<std::string> texts = {"took 17 ms for blk_123 at 0042",
                                          "took 9 ms for blk_7 at 0001",
                                          "no digits here",
                                          "\x11 literal",
                                          "",
                                          "18446744073709551615 99999999999999999999 0 007"};
  logs::TemplateWriter w;
  for (const auto& t : texts) w.Add(t);
  const auto streams = w.Finish();
  logs::TemplateTable table;
  ASSERT_TRUE(table.Init(streams.templates, texts.size()).ok());
  EXPECT_EQ(table.template_count(), 5u);  // the first two texts share a template
  EXPECT_EQ(table.code(0), table.code(1));
  EXPECT_EQ(table.template_text(table.code(3))[0], logs::kTemplateLiteral);
  EXPECT_FALSE(table.variables_loaded());
  ASSERT_TRUE(table.LoadVariables(streams.ints, streams.strings).ok());
  for (size_t i = texts.size(); i-- > 0;) {  // any order
    std::string out;
    table.AppendText(i, &out);
    EXPECT_EQ(out, texts[i]);
  }
  logs::TemplateTable bad;
  EXPECT_FALSE(bad.Init(streams.templates, texts.size() + 1).ok());
  ASSERT_TRUE(bad.Init(streams.templates, texts.size()).ok());
  EXPECT_FALSE(bad.LoadVariables(streams.ints.substr(0, 2), streams.strings).ok());
}

TEST(LogPartTest, RejectsCorruptFiles) {
  const std::string dir = TempDir("corrupt");
  const std::string path = dir + "/p.lgp";
  ASSERT_TRUE(WriteLogPart(path, MixedBatch(), LogPartMeta()).ok());
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& d) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << d;
  };
  write(data.substr(0, data.size() - 3));
  EXPECT_EQ(LogPart::Open(path).status().code(), StatusCode::kCorruption);
  std::string flipped = data;
  flipped[data.size() - 30] ^= 0x40;  // inside the footer
  write(flipped);
  EXPECT_EQ(LogPart::Open(path).status().code(), StatusCode::kCorruption);
  flipped = data;
  flipped[40] ^= 0x01;  // inside the first block's chunks
  write(flipped);
  auto part = LogPart::Open(path);
  ASSERT_TRUE(part.ok());
  LogBatch b;
  Status s1 = (*part)->ReadBlock(0, &b);
  EXPECT_TRUE(!s1.ok() || (*part)->BlockMayContainAll(0, {}));
  write("tiny");
  EXPECT_FALSE(LogPart::Open(path).ok());
}

TEST(TemplateCodecTest, RoundTripsAwkwardTexts) {
  std::vector<std::string> texts = {"",
                                    "0",
                                    "007 agent",
                                    "x=18446744073709551615 y=99999999999999999999",
                                    "\x10\x11\x12 control",
                                    "blk_-6952295868487656571 ok",
                                    "a1b2 c3 10.0.0.1:8080",
                                    "ünïcödé 42"};
  logs::TemplateWriter w;
  for (const auto& t : texts) w.Add(t);
  auto s = w.Finish();
  std::vector<std::string> out;
  ASSERT_TRUE(logs::DecodeTemplates(s.templates, s.ints, s.strings, texts.size(), &out).ok());
  EXPECT_EQ(out, texts);
  EXPECT_FALSE(
      logs::DecodeTemplates(s.templates.substr(0, 3), s.ints, s.strings, texts.size(), &out).ok());
}

TEST(LogTokensTest, SplitsOnNonWordBytesAndLowercases) {
  EXPECT_EQ(
      logs::Tokenize("GET /v2/Servers?x=1 HTTP/1.1 user_id"),
      (std::vector<std::string>{"get", "v2", "servers", "x", "1", "http", "1", "1", "user_id"}));
  std::string bloom = logs::TokenBloomBuilder::Build({1, 2, 3});
  logs::TokenBloomView v(bloom);
  EXPECT_TRUE(v.MayContain(1) && v.MayContain(2) && v.MayContain(3));
  EXPECT_TRUE(logs::TokenBloomView("").MayContain(7));
}

// Every Loghub sample: lossless round trip, and the on-disk size against the raw text.
TEST(LogPartTest, LoghubRoundTripAndCompression) {
  const auto files = logs::LoghubFiles();
  if (files.empty()) GTEST_SKIP() << "no Loghub data in " << logs::kLoghubDir;
  const std::string dir = TempDir("loghub");
  uint64_t raw_bytes = 0, part_bytes = 0, lines_total = 0;
  LogBatch all;
  int64_t base = 1'700'000'000'000'000'000;
  for (const auto& f : files) {
    auto lines = logs::ReadLines(f);
    for (const auto& l : lines) raw_bytes += l.size() + 1;
    lines_total += lines.size();
    const std::string name = std::filesystem::path(f).stem().string();
    all.Append(logs::LinesToBatch(lines, name, base));
    base += 10'000'000'000'000LL;
  }
  for (int level : {3, 9, 19}) {
    for (bool split : {false, true}) {
      LogPartWriteOptions o;
      o.zstd_level = level;
      o.split_variables = split;
      const std::string p = dir + "/v" + std::to_string(level) + (split ? "s" : "p") + ".lgp";
      ASSERT_TRUE(WriteLogPart(p, all, LogPartMeta(), o).ok());
      std::printf("loghub variant zstd %d, templates %d: %ju bytes\n", level, split,
                  static_cast<uintmax_t>(std::filesystem::file_size(p)));
    }
  }
  ASSERT_TRUE(WriteLogPart(dir + "/all.lgp", all, LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/all.lgp");
  ASSERT_TRUE(part.ok());
  part_bytes = (*part)->file_bytes();
  size_t checked = 0;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch block;
    ASSERT_TRUE((*part)->ReadBlock(i, &block).ok());
    for (size_t r = 0; r < block.size(); ++r) {
      const size_t src =
          static_cast<size_t>(std::find(all.time_ns.begin(), all.time_ns.end(), block.time_ns[r]) -
                              all.time_ns.begin());
      ASSERT_LT(src, all.size());
      ASSERT_EQ(block.body[r].str, all.body[src].str);
      ++checked;
    }
  }
  EXPECT_EQ(checked, lines_total);
  const double ratio = static_cast<double>(raw_bytes) / static_cast<double>(part_bytes);
  std::printf("loghub: %llu lines, raw %llu bytes, part %llu bytes, %.2f bytes/line, %.2fx\n",
              static_cast<unsigned long long>(lines_total),
              static_cast<unsigned long long>(raw_bytes),
              static_cast<unsigned long long>(part_bytes),
              static_cast<double>(part_bytes) / static_cast<double>(lines_total), ratio);
  EXPECT_GE(ratio, 9.0);
}

}  // namespace
}  // namespace periscope
