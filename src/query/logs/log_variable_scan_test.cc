#include "query/logs/log_variable_scan.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "storage/logs/log_testing.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"

namespace periscope {
namespace {

// The template streams of `texts`, decoded twice: without variables (what the scan gets) and
// with them (the reference, TextHasVariable).
struct Encoded {
  logs::TemplateWriter::Streams streams;
  logs::TemplateTable bare, full;
};

void Encode(const std::vector<std::string>& texts, Encoded* e) {
  logs::TemplateWriter w;
  for (const auto& t : texts) w.Add(t);
  e->streams = w.Finish();
  ASSERT_TRUE(e->bare.Init(e->streams.templates, texts.size()).ok());
  ASSERT_TRUE(e->full.Init(e->streams.templates, texts.size()).ok());
  ASSERT_TRUE(e->full.LoadVariables(e->streams.ints, e->streams.strings).ok());
}

Status Scan(const Encoded& e, std::string_view strings, std::string_view lower,
            std::vector<uint8_t>* hits) {
  return FindVariable(e.bare, e.streams.ints, strings, logs::TemplateTable::MakeNeedle(lower),
                      hits);
}

std::vector<uint8_t> Reference(const logs::TemplateTable& full, std::string_view lower) {
  const auto needle = logs::TemplateTable::MakeNeedle(lower);
  std::vector<uint8_t> out(full.size());
  for (size_t i = 0; i < full.size(); ++i) out[i] = full.TextHasVariable(i, needle) ? 1 : 0;
  return out;
}

TEST(LogVariableScanTest, FindsIntegerAndStringVariablesIgnoringCase) {
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) {
    texts.push_back("request id" + std::to_string(i % 50) + "x from host" + std::to_string(i % 7) +
                    " took " + std::to_string(i) + " ms");
  }
  texts.push_back("request ID7X from HOST3 took 5 ms");  // mixed case, the same template
  texts.push_back("a literal line without variables");
  Encoded e;
  Encode(texts, &e);
  for (const char* needle :
       {"id7x", "host3", "id49x", "id50x", "host", "nosuch1", "299", "5", "0", "300", "007"}) {
    std::vector<uint8_t> hits;
    ASSERT_TRUE(Scan(e, e.streams.strings, needle, &hits).ok());
    EXPECT_EQ(hits, Reference(e.full, needle)) << needle;
  }
  std::vector<uint8_t> hits;
  ASSERT_TRUE(Scan(e, e.streams.strings, "299", &hits).ok());
  EXPECT_EQ(hits[299], 1);
  EXPECT_EQ(hits[298], 0);
  ASSERT_TRUE(Scan(e, e.streams.strings, "id7x", &hits).ok());
  EXPECT_EQ(hits[300], 1);
  EXPECT_EQ(hits[7], 1);
  EXPECT_EQ(hits[8], 0);
  EXPECT_FALSE(e.bare.variables_loaded());
}

TEST(LogVariableScanTest, RejectsATruncatedStream) {
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i) texts.push_back("user u" + std::to_string(i) + "x logged in");
  Encoded e;
  Encode(texts, &e);
  ASSERT_GT(e.streams.strings.size(), 10u);
  const std::string cut = e.streams.strings.substr(0, e.streams.strings.size() / 2);
  std::vector<uint8_t> hits;
  // The needle must be in the surviving bytes for the scan to get past its first check.
  const Status s = Scan(e, cut, "u1x", &hits);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
}

// Against a plain folded search over random text of a small alphabet (many near misses).
TEST(LogVariableScanTest, ContainsIgnoringCaseAgreesWithAPlainSearch) {
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const std::string alphabet = "abAB_1; ";
  for (int round = 0; round < 2000; ++round) {
    std::string raw(next() % 300, ' ');
    for (auto& c : raw) c = alphabet[next() % alphabet.size()];
    std::string piece(1 + next() % 12, ' ');
    for (auto& c : piece) c = alphabet[next() % 4 + (next() % 2 ? 4 : 0)];
    for (auto& c : piece) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (round % 3 == 0 && raw.size() > piece.size()) {
      const size_t at = next() % (raw.size() - piece.size());
      for (size_t j = 0; j < piece.size(); ++j) {
        raw[at + j] = next() % 2 ? static_cast<char>(std::toupper(piece[j])) : piece[j];
      }
    }
    std::string lower = raw;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_EQ(ContainsIgnoringCase(raw, piece), lower.find(piece) != std::string::npos)
        << raw << " / " << piece;
  }
  EXPECT_TRUE(ContainsIgnoringCase("xx AUTHENTICATION FAILURE", "authentication failure"));
  EXPECT_FALSE(ContainsIgnoringCase("authentication failur", "authentication failure"));
  EXPECT_FALSE(ContainsIgnoringCase("abc", ""));
}

// Every variable of every Loghub sample, looked up in its file's table: the scan finds
// exactly the texts TextHasVariable finds (a text it missed would drop a search result).
TEST(LogVariableScanTest, AgreesWithTextHasVariableOnLoghub) {
  const auto files = logs::LoghubFiles();
  if (files.empty()) GTEST_SKIP() << "no Loghub data";
  size_t needles = 0, found = 0;
  for (const auto& file : files) {
    const auto lines = logs::ReadLines(file);
    Encoded e;
    Encode(lines, &e);
    std::set<std::string> tokens;
    for (size_t i = 0; i < lines.size(); i += 97) {
      logs::ForEachToken(lines[i], [&](std::string_view t) {
        if (t.find_first_of("0123456789") != std::string_view::npos) {
          tokens.emplace(t);
        }
      });
    }
    tokens.insert("zz9nosuchtoken");
    tokens.insert("918273645");
    for (const auto& t : tokens) {
      std::vector<uint8_t> hits;
      ASSERT_TRUE(Scan(e, e.streams.strings, t, &hits).ok()) << file;
      const auto want = Reference(e.full, t);
      ASSERT_EQ(hits, want) << file << ": " << t;
      ++needles;
      for (uint8_t h : hits) found += h;
    }
  }
  EXPECT_GT(needles, 100u);
  EXPECT_GT(found, needles / 2);
}

}  // namespace
}  // namespace periscope
