#include "query/logs/log_search.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "query/logs/log_block_match.h"
#include "storage/logs/log_block_columns.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/log_testing.h"
#include "storage/logs/log_tokens.h"

namespace periscope {
namespace {

TEST(LogSearchParserTest, ParsesTheSyntax) {
  struct Case {
    const char* query;
    const char* expected;
  } cases[] = {
      {"", "ALL"},
      {"Error", "word(error)"},
      {"error timeout", "AND(word(error) word(timeout))"},
      {"error AND timeout", "AND(word(error) word(timeout))"},
      {"\"Connection Reset\"", "phrase(connection reset)"},
      {"fail*", "prefix(fail)"},
      {"-debug", "NOT word(debug)"},
      {"NOT debug", "NOT word(debug)"},
      {"a OR b c", "OR(word(a) AND(word(b) word(c)))"},
      {"(a OR b) c", "AND(OR(word(a) word(b)) word(c))"},
      {"service:checkout env:prod", "AND(service:checkout env:prod)"},
      {"level:error", "level:error"},
      {"status:warn", "level:warn"},
      {"@http.status_code:500", "@http.status_code:500"},
      {"@duration:>300", "@duration:>300"},
      {"@duration:<=2.5", "@duration:<=2.5"},
      {"service:check*", "service:*check"},
      {"trace_id:0102030405060708090A0B0C0D0E0F10", "trace_id:0102030405060708090a0b0c0d0e0f10"},
      {"@msg:\"two words\"", "@msg:two words"},
  };
  for (const auto& c : cases) {
    auto n = ParseLogSearch(c.query);
    ASSERT_TRUE(n.ok()) << c.query << ": " << n.status().ToString();
    std::string got = n->DebugString();
    if (std::string(c.expected) == "service:*check") {
      EXPECT_EQ(n->op, LogSearchNode::Op::kPrefix);
      EXPECT_EQ(n->text, "check");
      continue;
    }
    EXPECT_EQ(got, c.expected) << c.query;
  }
}

TEST(LogSearchParserTest, ReportsErrorPositions) {
  struct Case {
    const char* query;
    const char* fragment;
  } cases[] = {
      {"\"open", "position 0: unterminated quote"},
      {"(a b", "position 0: unclosed '('"},
      {"a )", "position 2"},
      {"@d:>abc", "position 4: expected a number"},
      {"trace_id:xyz", "position 9: trace_id must be 32 hex digits"},
      {"level:loud", "position 6: unknown level"},
      {"a OR", "OR needs a term"},
      {"service:", "position 8: field 'service' needs a value"},
      {"env:>3", "position 4: ranges apply to @attributes only"},
      {"- a", "position 0: negation needs a term"},
  };
  for (const auto& c : cases) {
    auto n = ParseLogSearch(c.query);
    ASSERT_FALSE(n.ok()) << c.query;
    EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(n.status().message().find(c.fragment), std::string::npos)
        << c.query << " -> " << n.status().message();
  }
}

LogBatch SmallBatch() {
  LogBatch b;
  Resource r;
  r.attributes = {{"service.name", AnyValue::String("checkout")},
                  {"deployment.environment", AnyValue::String("prod")},
                  {"host.name", AnyValue::String("h1")}};
  r.tags = ExtractUnifiedTags(r.attributes);
  b.resources.push_back(r);
  b.scopes.emplace_back();
  auto add = [&](int64_t t, int sev, std::string body, Attributes attrs) {
    const size_t i = b.AddRow(0, 0);
    b.time_ns[i] = t;
    b.severity_number[i] = sev;
    b.body[i] = AnyValue::String(std::move(body));
    b.attributes[i] = std::move(attrs);
    return i;
  };
  add(1, 9, "GET /cart 200 in 12ms", {{"duration", AnyValue::Int(12)}});
  add(2, 17, "Payment FAILED: card declined", {{"duration", AnyValue::Int(450)}});
  const size_t i = add(3, 13, "retrying payment", {{"http.status_code", AnyValue::Int(500)}});
  b.trace_id[i] = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
  b.severity_text[i] = "WARN";
  return b;
}

std::vector<int64_t> MatchingTimes(const LogBatch& b, const char* q) {
  auto n = ParseLogSearch(q);
  EXPECT_TRUE(n.ok()) << q;
  std::vector<int64_t> out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (n->Matches(b, i)) out.push_back(b.time_ns[i]);
  }
  return out;
}

TEST(LogSearchMatchTest, EvaluatesRows) {
  LogBatch b = SmallBatch();
  using V = std::vector<int64_t>;
  EXPECT_EQ(MatchingTimes(b, "payment"), (V{2, 3}));
  EXPECT_EQ(MatchingTimes(b, "PAYMENT failed"), (V{2}));
  EXPECT_EQ(MatchingTimes(b, "pay*"), (V{2, 3}));
  EXPECT_EQ(MatchingTimes(b, "pay"), V{});
  EXPECT_EQ(MatchingTimes(b, "\"failed: card\""), (V{2}));
  EXPECT_EQ(MatchingTimes(b, "-payment"), (V{1}));
  EXPECT_EQ(MatchingTimes(b, "cart OR declined"), (V{1, 2}));
  EXPECT_EQ(MatchingTimes(b, "level:error"), (V{2}));
  EXPECT_EQ(MatchingTimes(b, "level:warn"), (V{3}));
  EXPECT_EQ(MatchingTimes(b, "level:9"), (V{1}));
  EXPECT_EQ(MatchingTimes(b, "@duration:>300"), (V{2}));
  EXPECT_EQ(MatchingTimes(b, "@duration:<=12"), (V{1}));
  EXPECT_EQ(MatchingTimes(b, "@http.status_code:500"), (V{3}));
  EXPECT_EQ(MatchingTimes(b, "service:checkout env:prod host:h1"), (V{1, 2, 3}));
  EXPECT_EQ(MatchingTimes(b, "service:other"), V{});
  EXPECT_EQ(MatchingTimes(b, "trace_id:0102030405060708090a0b0c0d0e0f10"), (V{3}));
  EXPECT_EQ(MatchingTimes(b, "/cart"), (V{1}));
}

std::string TestDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("log_search_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(LogBlockMatchTest, TemplateVerdicts) {
  using V = TemplateVerdict;
  auto verdict = [](const char* q, std::string_view tmpl) {
    auto n = ParseLogSearch(q);
    EXPECT_TRUE(n.ok()) << q;
    return TemplateVerdictOf(*n, tmpl);
  };
  // "took \x11 ms for \x12 at host": ints and str variables between literal words.
  const std::string t = "Took \x11 ms for \x12 at host-a";
  EXPECT_EQ(verdict("took", t), V::kAll);
  EXPECT_EQ(verdict("MS", t), V::kAll);
  EXPECT_EQ(verdict("host", t), V::kAll);
  EXPECT_EQ(verdict("hos", t), V::kNone);  // no digit: never inside a variable
  EXPECT_EQ(verdict("info", t), V::kNone);
  EXPECT_EQ(verdict("17", t), V::kMaybe);
  EXPECT_EQ(verdict("blk_1", t), V::kMaybe);
  EXPECT_EQ(verdict("blk_", t), V::kNone);  // a str variable holds a digit
  EXPECT_EQ(verdict("hos*", t), V::kAll);
  EXPECT_EQ(verdict("bl*", t), V::kMaybe);  // a str variable may start with it
  EXPECT_EQ(verdict("\"took\"", t), V::kAll);
  EXPECT_EQ(verdict("\"at host-a\"", t), V::kAll);
  EXPECT_EQ(verdict("\"ms for\"", t), V::kAll);
  EXPECT_EQ(verdict("\"took 5 ms\"", t), V::kMaybe);
  EXPECT_EQ(verdict("\"ok 5 ms\"", t), V::kMaybe);  // "Took 5 ms"
  EXPECT_EQ(verdict("\"ax 5 ms\"", t), V::kNone);
  EXPECT_EQ(verdict("\"took x ms\"", t), V::kNone);  // an int variable holds digits only
  EXPECT_EQ(verdict("\"for abc\"", t), V::kMaybe);
  EXPECT_EQ(verdict("\"5 ms for\"", t), V::kMaybe);
  EXPECT_EQ(verdict("\"x at host\"", t), V::kMaybe);
  EXPECT_EQ(verdict("\"for abc at\"", t), V::kNone);  // a whole str variable holds a digit
  EXPECT_EQ(verdict("\"for a1c at\"", t), V::kMaybe);
  EXPECT_EQ(verdict("\"ms  for\"", t), V::kNone);
  // Literal templates are decided on their text.
  EXPECT_EQ(verdict("17", "\x10took 17 \x11"), V::kAll);
  EXPECT_EQ(verdict("18", "\x10took 17 \x11"), V::kNone);
}

// Every Loghub sample as a part; each query evaluated over each block by MatchLogBlock (with
// a partial mask too) must equal LogSearchNode::Matches on the decoded rows.
TEST(LogBlockMatchTest, AgreesWithRowMatchingOnLoghub) {
  const auto files = logs::LoghubFiles();
  if (files.empty()) GTEST_SKIP() << "no Loghub data";
  const std::string dir = TestDir("block_match");
  const char* queries[] = {"",
                           "info",
                           "INFO",
                           "error",
                           "failed",
                           "-info",
                           "info OR warn",
                           "session opened",
                           "\"session opened for user\"",
                           "\"authentication failure\"",
                           "\"ure; log\"",
                           "\"0 euid\"",
                           "\"blk_-1\"",
                           "\"1\"",
                           "\"r\"",
                           "authent*",
                           "blk_*",
                           "1*",
                           "10.251",
                           "8254969905",
                           "0",
                           "1",
                           "22",
                           "root",
                           "level:error",
                           "level:info",
                           "level:17",
                           "service:openssh_2k",
                           "service:hdfs_2k -info",
                           "@log.line:>5",
                           "\"user root\" OR 10",
                           "-(info OR error)",
                           "jk2_init found",
                           "\"jk2_init() found\"",
                           "workerenv",
                           "mod_jk",
                           "\"user root\"",
                           "\"failure; logname\"",
                           "\"rhost=\"",
                           "\"_-1\"",
                           "\"ication fail\"",
                           "\"10.251\""};
  // Parsed once: the verdict caches (one per query, shared by every block of every file) are
  // keyed by node.
  std::vector<LogSearchNode> nodes;
  for (const char* q : queries) {
    auto node = ParseLogSearch(q);
    ASSERT_TRUE(node.ok()) << q;
    nodes.push_back(std::move(node).value());
  }
  std::vector<LogBlockMatchCache> caches(nodes.size());
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& file = files[f];
    const std::string service = std::filesystem::path(file).stem().string();
    LogBatch batch = logs::LinesToBatch(logs::ReadLines(file), logs::AsciiLower(service), 1000);
    // Every other file without attributes: its blocks are decided without the attribute rows.
    const bool attributes = f % 2 == 0;
    for (size_t r = 0; r < batch.size(); ++r) {
      batch.severity_number[r] = static_cast<int32_t>(r % 25);
      if (attributes && r % 7 == 0) {
        batch.attributes[r].push_back({"note", AnyValue::String("info 10.251")});
      }
      if (attributes && r % 11 == 0) {
        batch.attributes[r].push_back({"log.line", AnyValue::Int(r % 13)});
      }
      if (r % 97 == 0) batch.body[r] = AnyValue::Int(static_cast<int64_t>(r));
      if (r % 89 == 0) batch.body[r].type = ValueType::kBytes;
    }
    const std::string path = dir + "/" + service + ".lgp";
    ASSERT_TRUE(WriteLogPart(path, batch, LogPartMeta()).ok());
    auto part = LogPart::Open(path);
    ASSERT_TRUE(part.ok());
    for (size_t b = 0; b < (*part)->blocks().size(); ++b) {
      LogBatch rows;
      ASSERT_TRUE((*part)->ReadBlock(b, &rows).ok());
      for (size_t qi = 0; qi < nodes.size(); ++qi) {
        const char* q = queries[qi];
        const LogSearchNode* node = &nodes[qi];
        std::vector<uint8_t> want(rows.size());
        for (size_t r = 0; r < rows.size(); ++r) want[r] = node->Matches(rows, r);
        for (int half = 0; half < 2; ++half) {
          std::vector<uint8_t> mask(rows.size(), 1), got;
          if (half) {
            for (size_t r = 0; r < mask.size(); r += 2) mask[r] = 0;
          }
          LogBlockColumns cols(**part, b);
          ASSERT_TRUE(MatchLogBlock(*node, cols, b, mask, &got, half ? &caches[qi] : nullptr).ok())
              << q;
          ASSERT_EQ(got.size(), rows.size());
          for (size_t r = 0; r < rows.size(); ++r) {
            ASSERT_EQ(got[r] != 0, mask[r] && want[r])
                << service << " query " << q << " row " << r << ": " << rows.body[r].ToString();
          }
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
}

// A phrase can also lie across string variables (tokens with digits): blocks whose variables
// hold no piece of the phrase are ruled out from the raw variable stream, the others rebuilt.
TEST(LogBlockMatchTest, PhraseAcrossVariablesIsFoundAndRuledOut) {
  const std::string dir = TestDir("phrase_vars");
  const std::vector<std::string> lines = {"login 7authentication failure9 from host1",
                                          "login 7auth fail9 from host2",
                                          "LOGIN 8AUTHENTICATION FAILURE0 from host3",
                                          "login 12 34 from host4", "login x1 y2 from host5"};
  auto node = ParseLogSearch("\"authentication failure\"");
  ASSERT_TRUE(node.ok());
  LogBlockMatchCache cache;
  // All lines in one block, then a block of the others, each twice (a template used once may
  // be stored as a literal).
  for (bool with_matches : {true, false}) {
    std::vector<std::string> block_lines;
    for (int copy = 0; copy < 2; ++copy) {
      for (size_t i = 0; i < lines.size(); ++i) {
        if (with_matches || (i != 0 && i != 2)) block_lines.push_back(lines[i]);
      }
    }
    const LogBatch batch = logs::LinesToBatch(block_lines, "svc", 1000);
    const std::string path = dir + (with_matches ? "/a.lgp" : "/b.lgp");
    ASSERT_TRUE(WriteLogPart(path, batch, LogPartMeta()).ok());
    auto part = LogPart::Open(path);
    ASSERT_TRUE(part.ok());
    ASSERT_EQ((*part)->blocks().size(), 1u);
    LogBatch rows;
    ASSERT_TRUE((*part)->ReadBlock(0, &rows).ok());
    std::vector<uint8_t> mask(rows.size(), 1), got;
    LogBlockColumns cols(**part, 0);
    ASSERT_TRUE(MatchLogBlock(*node, cols, 0, mask, &got, &cache).ok());
    size_t matches = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      EXPECT_EQ(got[r] != 0, node->Matches(rows, r)) << rows.body[r].str;
      matches += got[r];
    }
    EXPECT_EQ(matches, with_matches ? 4u : 0u);
    // Only the block whose variables hold the pieces decoded them.
    auto templates = cols.BodyTemplates(false);
    ASSERT_TRUE(templates.ok());
    EXPECT_EQ((*templates)->variables_loaded(), with_matches);
  }
  std::filesystem::remove_all(dir);
}

// A table whose parts hold `lines` rows in several blocks: row i has time base + i and body
// "line <i> of <n> user<i % 7>", every 1000th row says "authentication failure" (its second half
// in the next row's block when a block ends there).
struct NumberedTable {
  std::unique_ptr<LogTable> table;
  std::vector<std::string> bodies;
  static constexpr int64_t kBase = 1'700'000'000'000'000'000;
};

NumberedTable MakeNumberedTable(const std::string& dir, size_t lines, uint32_t format_version) {
  NumberedTable out;
  LogBatch batch;
  Resource res;
  res.attributes.push_back({"service.name", AnyValue::String("svc")});
  res.tags = ExtractUnifiedTags(res.attributes);
  batch.resources.push_back(res);
  batch.scopes.emplace_back();
  for (size_t i = 0; i < lines; ++i) {
    const size_t row = batch.AddRow(0, 0);
    batch.time_ns[row] = NumberedTable::kBase + static_cast<int64_t>(i);
    batch.severity_number[row] = i % 3 == 0 ? 9 : 17;
    std::string body = "line " + std::to_string(i * 7919 + 100000) + " of " +
                       std::to_string(lines) + " user" + std::to_string(i % 7);
    if (i % 1000 == 999) body += " authentication failure";
    batch.body[row] = AnyValue::String(body);
    out.bodies.push_back(body);
  }
  std::filesystem::create_directories(dir + "/default");
  LogPartMeta meta;
  meta.part_id = 1;
  meta.tenant = "default";
  LogPartWriteOptions options;
  options.format_version = format_version;
  EXPECT_TRUE(
      WriteLogPart(dir + "/default/part-00000000000000000001.lgp", std::move(batch), meta, options)
          .ok());
  LogTableOptions topt;
  topt.dir = dir;
  topt.retention_ns = INT64_MAX / 2;
  auto table = LogTable::Open(topt);
  EXPECT_TRUE(table.ok());
  out.table = std::move(table).value();
  return out;
}

// All rows of a paged search, newest first, as times relative to the base.
std::vector<int64_t> SearchAll(const LogTable& table, const char* q, size_t limit,
                               LogSearchStats* stats) {
  LogSearchRequest req;
  req.query = *ParseLogSearch(q);
  req.limit = limit;
  std::vector<int64_t> got;
  for (int page = 0; page < 1000; ++page) {
    auto r = SearchLogs(table, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    stats->blocks_read += r->stats.blocks_read;
    stats->blocks_skipped += r->stats.blocks_skipped;
    for (size_t i = 0; i < r->rows.size(); ++i) {
      got.push_back(r->rows.time_ns[i] - NumberedTable::kBase);
    }
    if (r->next.empty()) break;
    req.cursor = r->next;
  }
  return got;
}

TEST(LogSearchTest, NumericNeedleIsFoundThroughTheBloom) {
  const std::string dir = TestDir("numeric");
  const size_t lines = 3 * logs::kMaxRowsPerLogBlock;  // three blocks
  auto t = MakeNumberedTable(dir, lines, logs::kLogFormatVersion);
  ASSERT_EQ(t.table->Snapshot("default").parts.at(0)->blocks().size(), 3u);
  const size_t row = logs::kMaxRowsPerLogBlock + 123;  // in the middle block
  const std::string needle = std::to_string(row * 7919 + 100000);
  LogSearchStats stats;
  EXPECT_EQ(SearchAll(*t.table, needle.c_str(), 100, &stats),
            std::vector<int64_t>{static_cast<int64_t>(row)});
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.blocks_skipped, 2u);
  std::filesystem::remove_all(dir);
}

TEST(LogSearchTest, Format1PartIsStillSearchedForNumbers) {
  const std::string dir = TestDir("format1");
  const size_t lines = 2 * logs::kMaxRowsPerLogBlock;
  auto t = MakeNumberedTable(dir, lines, 1);
  ASSERT_EQ(t.table->Snapshot("default").parts.at(0)->format_version(), 1u);
  const size_t row = 77;
  const std::string needle = std::to_string(row * 7919 + 100000);
  LogSearchStats stats;
  EXPECT_EQ(SearchAll(*t.table, needle.c_str(), 100, &stats),
            std::vector<int64_t>{static_cast<int64_t>(row)});
  EXPECT_EQ(stats.blocks_read, 2u);  // its blooms lack numbers: both blocks are read
  // Words still use the format-1 blooms.
  stats = {};
  EXPECT_EQ(SearchAll(*t.table, ("nosuchword " + needle).c_str(), 100, &stats).size(), 0u);
  EXPECT_EQ(stats.blocks_read, 0u);
  std::filesystem::remove_all(dir);
}

TEST(LogSearchTest, PhrasesAndCountsAcrossBlockBoundaries) {
  const std::string dir = TestDir("blocks");
  const size_t lines = 2 * logs::kMaxRowsPerLogBlock + 5000;
  auto t = MakeNumberedTable(dir, lines, logs::kLogFormatVersion);
  ASSERT_EQ(t.table->Snapshot("default").parts.at(0)->blocks().size(), 3u);
  struct Q {
    const char* q;
    std::function<bool(size_t)> want;
  } queries[] = {
      {"\"authentication failure\"", [](size_t i) { return i % 1000 == 999; }},
      {"\"user3 authentication\"", [](size_t i) { return i % 1000 == 999 && i % 7 == 3; }},
      {"\"of 70536 user\"", [](size_t) { return true; }},
      {"user4", [](size_t i) { return i % 7 == 4; }},
      {"-user4 -line", [](size_t) { return false; }},
      {"level:error -user1", [](size_t i) { return i % 3 != 0 && i % 7 != 1; }},
      {"\"e 1\"", [](size_t i) { return std::to_string(i * 7919 + 100000)[0] == '1'; }},
  };
  for (const auto& q : queries) {
    std::vector<int64_t> want;
    for (size_t i = lines; i-- > 0;) {
      if (q.want(i)) want.push_back(static_cast<int64_t>(i));
    }
    LogSearchStats stats;
    EXPECT_EQ(SearchAll(*t.table, q.q, 5000, &stats), want) << q.q;
    LogSearchRequest req;
    req.query = *ParseLogSearch(q.q);
    req.start_ns = NumberedTable::kBase + 10;  // cuts into the first block
    req.end_ns = NumberedTable::kBase + static_cast<int64_t>(lines);
    auto h = HistogramLogs(*t.table, req, 4096);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    uint64_t total = 0, errors = 0;
    for (const auto& b : h->buckets) {
      for (const auto& [k, n] : b) {
        total += n;
        if (k == "error") errors += n;
      }
    }
    uint64_t want_total = 0, want_errors = 0;
    for (size_t i = 10; i < lines; ++i) {
      if (!q.want(i)) continue;
      ++want_total;
      want_errors += i % 3 != 0;
    }
    EXPECT_EQ(total, want_total) << q.q;
    EXPECT_EQ(errors, want_errors) << q.q;
  }
  std::filesystem::remove_all(dir);
}

// Phrases over blocks whose string variables hold none of the phrase's words: a block is ruled
// out from its raw streams only when its template dictionary lacks the phrase too; every block
// answers exactly what matching the decoded rows answers.
TEST(LogBlockMatchTest, PhraseRuledOutOnlyWhereNoTemplateHoldsIt) {
  const std::string dir = TestDir("phrase_streams");
  LogBatch batch;
  for (const char* svc : {"auth", "disk", "mixed"}) {
    Resource res;
    res.attributes.push_back({"service.name", AnyValue::String(svc)});
    res.tags = ExtractUnifiedTags(res.attributes);
    batch.resources.push_back(res);
  }
  batch.scopes.emplace_back();
  for (size_t i = 0; i < 600; ++i) {
    const auto svc = static_cast<uint32_t>(i % 3);
    const size_t row = batch.AddRow(svc, 0);
    batch.time_ns[row] = NumberedTable::kBase + static_cast<int64_t>(i);
    std::string body;
    if (svc == 0) body = fmt::format("login AUTHENTICATION Failure for id{}x", i);
    if (svc == 1) body = fmt::format("disk sda{} ok after {} ms", i % 4, i);
    if (svc == 2)
      body = i % 2 ? fmt::format("pam_unix authentication failure; uid={}", i)
                   : fmt::format("token auth{}entication failure", i);
    batch.body[row] = AnyValue::String(body);
  }
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteLogPart(dir + "/p.lgp", std::move(batch), LogPartMeta()).ok());
  auto part = LogPart::Open(dir + "/p.lgp");
  ASSERT_TRUE(part.ok());
  ASSERT_EQ((*part)->blocks().size(), 3u);
  size_t matched = 0;
  for (const char* q : {"\"authentication failure\"", "\"failure for\"", "\"ure for id\"",
                        "\"sda ok\"", "\"ok after\"", "\"entication fail\"", "\"n failure;\""}) {
    auto node = ParseLogSearch(q);
    ASSERT_TRUE(node.ok());
    for (size_t b = 0; b < 3; ++b) {
      LogBatch rows;
      ASSERT_TRUE((*part)->ReadBlock(b, &rows).ok());
      std::vector<uint8_t> mask(rows.size(), 1), got;
      LogBlockMatchCache cache;
      LogBlockColumns cols(**part, b);
      ASSERT_TRUE(MatchLogBlock(*node, cols, b, mask, &got, &cache).ok());
      for (size_t r = 0; r < rows.size(); ++r) {
        ASSERT_EQ(got[r] != 0, node->Matches(rows, r))
            << q << " block " << b << ": " << rows.body[r].str;
        matched += got[r];
      }
    }
  }
  EXPECT_GT(matched, 600u);
  std::filesystem::remove_all(dir);
}

// Rows in three blocks whose times repeat (50 rows per time) and whose ids are string
// variables: small pages must give every match once, newest first, ties included; a rare id
// in the middle block is found there and nowhere else.
TEST(LogSearchTest, SmallPagesOverRepeatedTimesAndRareIds) {
  const std::string dir = TestDir("ties");
  const size_t lines = 2 * logs::kMaxRowsPerLogBlock + 3000;
  LogBatch batch;
  Resource res;
  res.attributes.push_back({"service.name", AnyValue::String("svc")});
  res.tags = ExtractUnifiedTags(res.attributes);
  batch.resources.push_back(res);
  batch.scopes.emplace_back();
  for (size_t i = 0; i < lines; ++i) {
    const size_t row = batch.AddRow(0, 0);
    batch.time_ns[row] = NumberedTable::kBase + static_cast<int64_t>(i / 50) * 1000;
    batch.body[row] = AnyValue::String(
        fmt::format("{} req r{:x}q done", i % 2 ? "INFO" : "WARN", i * 2654435761u % 4294967291u));
  }
  std::filesystem::create_directories(dir + "/default");
  LogPartMeta meta;
  meta.part_id = 1;
  ASSERT_TRUE(
      WriteLogPart(dir + "/default/part-00000000000000000001.lgp", std::move(batch), meta).ok());
  LogTableOptions topt;
  topt.dir = dir;
  topt.retention_ns = INT64_MAX / 2;
  auto table = LogTable::Open(topt);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ((*table)->Snapshot("default").parts.at(0)->blocks().size(), 3u);
  for (const char* q : {"info", "req", "\"q done\""}) {
    LogSearchStats stats;
    const auto all = SearchAll(**table, q, 100000, &stats);
    ASSERT_EQ(all.size(), std::string(q) == "info" ? lines / 2 : lines) << q;
    for (size_t limit : {1, 7, 100, 999}) {
      LogSearchRequest req;
      req.query = *ParseLogSearch(q);
      req.limit = limit;
      std::vector<int64_t> got;
      std::set<std::string> bodies;
      for (size_t page = 0; page < 50; ++page) {
        auto r = SearchLogs(**table, req);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_LE(r->rows.size(), limit);
        for (size_t i = 0; i < r->rows.size(); ++i) {
          got.push_back(r->rows.time_ns[i] - NumberedTable::kBase);
          EXPECT_TRUE(bodies.insert(r->rows.body[i].str).second) << "repeated row";
        }
        if (r->next.empty()) break;
        req.cursor = r->next;
      }
      // The first 50 pages, then the same rows as the one-page answer.
      ASSERT_EQ(got.size(), std::min(all.size(), 50 * limit)) << q << " limit " << limit;
      EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin())) << q << " limit " << limit;
    }
  }
  const size_t row = logs::kMaxRowsPerLogBlock + 4321;  // in the middle block
  const std::string id = fmt::format("R{:X}Q", row * 2654435761u % 4294967291u);
  LogSearchStats stats;
  EXPECT_EQ(SearchAll(**table, id.c_str(), 100, &stats),
            std::vector<int64_t>{static_cast<int64_t>(row / 50) * 1000});
  EXPECT_EQ(stats.blocks_read, 1u);
  std::filesystem::remove_all(dir);
}

// Reference semantics, written independently of the engine: lower-cased tokens and substrings.
bool RefMatch(const std::string& line, const std::string& kind, const std::string& arg) {
  const std::string lower = logs::AsciiLower(line);
  const auto tokens = logs::Tokenize(line);
  if (kind == "word") return std::find(tokens.begin(), tokens.end(), arg) != tokens.end();
  if (kind == "prefix") {
    return std::any_of(tokens.begin(), tokens.end(),
                       [&](const std::string& t) { return t.rfind(arg, 0) == 0; });
  }
  if (kind == "phrase") return lower.find(arg) != std::string::npos;
  if (kind == "not") return std::find(tokens.begin(), tokens.end(), arg) == tokens.end();
  return false;
}

// Ingests every Loghub sample (half flushed to parts, half in the memtable) and checks that
// paginated searches return exactly the lines a plain scan of the files finds, newest first.
TEST(LogSearchTest, LoghubSearchEqualsPlainScan) {
  const auto files = logs::LoghubFiles();
  if (files.empty()) GTEST_SKIP() << "no Loghub data";
  const auto dir =
      std::filesystem::temp_directory_path() / ("log_search_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  LogTableOptions options;
  options.dir = dir.string();
  options.retention_ns = INT64_MAX / 2;
  auto table = LogTable::Open(options);
  ASSERT_TRUE(table.ok());
  struct Line {
    std::string service;
    std::string text;
  };
  std::map<int64_t, Line> by_time;
  int64_t base = 1'700'000'000'000'000'000;
  uint64_t seq = 1;
  for (size_t f = 0; f < files.size(); ++f) {
    const auto lines = logs::ReadLines(files[f]);
    const std::string service = std::filesystem::path(files[f]).stem().string();
    for (size_t i = 0; i < lines.size(); ++i) {
      // Interleave services in time so that pagination crosses parts and the memtable.
      by_time[base + static_cast<int64_t>(i) * 1'000'000 + static_cast<int64_t>(f)] = {service,
                                                                                       lines[i]};
    }
    LogBatch batch = logs::LinesToBatch(lines, service, base);
    for (auto& t : batch.time_ns) t += static_cast<int64_t>(f);
    (*table)->Insert(seq++, std::move(batch));
    if (f == files.size() / 2) {
      const uint64_t covered = (*table)->Freeze();
      ASSERT_TRUE((*table)->WriteFrozen(covered).ok());
    }
  }
  ASSERT_GT((*table)->part_count(), 0u);
  ASSERT_GT((*table)->memtable_rows(), 0u);

  struct Q {
    std::string query, kind, arg;
  } queries[] = {
      {"error", "word", "error"},
      {"Failed", "word", "failed"},
      {"\"instruction cache parity\"", "phrase", "instruction cache parity"},
      {"\"session opened for user\"", "phrase", "session opened for user"},
      {"authent*", "prefix", "authent"},
      {"blk_38865049064139660", "word", "blk_38865049064139660"},
      {"-info", "not", "info"},
  };
  for (const auto& q : queries) {
    std::vector<int64_t> expected;
    for (auto it = by_time.rbegin(); it != by_time.rend(); ++it) {
      if (RefMatch(it->second.text, q.kind, q.arg)) expected.push_back(it->first);
    }
    LogSearchRequest req;
    ASSERT_TRUE(ParseLogSearch(q.query).ok());
    req.query = *ParseLogSearch(q.query);
    req.limit = 700;
    std::vector<int64_t> got;
    size_t skipped = 0;
    for (int page = 0; page < 100; ++page) {
      auto r = SearchLogs(**table, req);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      skipped += r->stats.blocks_skipped;
      for (size_t i = 0; i < r->rows.size(); ++i) {
        got.push_back(r->rows.time_ns[i]);
        ASSERT_EQ(r->rows.body[i].str, by_time[r->rows.time_ns[i]].text);
        ASSERT_EQ(r->rows.tags(i).service, by_time[r->rows.time_ns[i]].service);
      }
      if (r->next.empty()) break;
      req.cursor = r->next;
    }
    EXPECT_EQ(got, expected) << q.query;
    EXPECT_FALSE(expected.empty()) << q.query;
    if (q.kind == "phrase" || q.arg.starts_with("blk_")) {
      EXPECT_GT(skipped, 0u) << q.query << ": blooms should skip blocks";
    }
  }
  // Service filter and histogram.
  LogSearchRequest req;
  req.query = *ParseLogSearch("service:HDFS_2k");
  req.start_ns = base;
  req.end_ns = base + 2001LL * 1'000'000;
  auto h = HistogramLogs(**table, req, 1000LL * 1'000'000);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->buckets.size(), 3u);
  uint64_t total = 0;
  for (const auto& b : h->buckets) {
    for (const auto& [k, n] : b) total += n;
  }
  EXPECT_EQ(total, 2000u);
  EXPECT_FALSE(SearchLogs(**table, LogSearchRequest{.cursor = "zz"}).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace periscope
