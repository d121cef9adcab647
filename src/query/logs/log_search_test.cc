#include "query/logs/log_search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

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
