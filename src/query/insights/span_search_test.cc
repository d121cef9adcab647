#include "query/insights/span_search.h"

#include <gtest/gtest.h>

#include "query/insights/insights_testing.h"

namespace periscope {
namespace {

using insights_testing::AddSpan;

class SpanSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 0: checkout server POST /checkout 400 ms error, http.route /checkout, status code 500
    AddSpan(b_, "checkout", "prod", "1.2.0", "POST /checkout", SpanKind::kServer, 1000, 400'000'000,
            StatusCodeValue::kError,
            {{"http.route", AnyValue::String("/checkout")},
             {"http.response.status_code", AnyValue::Int(500)}});
    // 1: cart server GET /cart 20 ms ok
    AddSpan(b_, "cart", "prod", "2.0", "GET /cart", SpanKind::kServer, 2000, 20'000'000,
            StatusCodeValue::kOk,
            {{"http.route", AnyValue::String("/cart")},
             {"http.response.status_code", AnyValue::Int(200)}});
    // 2: checkout client call to payment, 120 ms, unset
    AddSpan(b_, "checkout", "staging", "1.3.0", "payment.Charge", SpanKind::kClient, 3000,
            120'000'000, StatusCodeValue::kUnset, {{"rpc.method", AnyValue::String("Charge")}});
  }
  // Rows matching `q`.
  std::vector<size_t> Match(const std::string& q) {
    auto s = SpanSearch::Parse(q);
    EXPECT_TRUE(s.ok()) << q << ": " << s.status().ToString();
    std::vector<size_t> rows;
    if (!s.ok()) return rows;
    for (size_t i = 0; i < b_.size(); ++i) {
      if (s->Matches(b_, i)) rows.push_back(i);
    }
    return rows;
  }
  SpanBatch b_;
};

TEST_F(SpanSearchTest, MatchesFieldsWordsAndNegation) {
  const std::vector<std::pair<std::string, std::vector<size_t>>> cases = {
      {"", {0, 1, 2}},
      {"service:checkout", {0, 2}},
      {"service:check*", {0, 2}},
      {"status:error", {0}},
      {"-status:error", {1, 2}},
      {"kind:server", {0, 1}},
      {"kind:client env:staging", {2}},
      {"name:\"GET /cart\"", {1}},
      {"operation:payment.Charge", {2}},
      {"version:1.2.0", {0}},
      {"@http.route:/cart", {1}},
      {"@http.response.status_code:>=500", {0}},
      {"@http.response.status_code:<300", {1}},
      {"duration:>300ms", {0}},
      {"duration:<=120ms", {1, 2}},
      {"duration:>=20000000", {0, 1, 2}},
      {"checkout", {0}},           // words match the span name
      {"\"/car\"", {1}},           // phrases are substrings of the name
      {"pay*", {2}},               // prefixes
      {"cart OR charge", {1, 2}},  // OR, case-insensitive words
      {"service:checkout -kind:client", {0}},
      {"@rpc.method:Charge", {2}},
      {"@service.name:cart", {1}},  // resource attributes
  };
  for (const auto& [q, want] : cases) EXPECT_EQ(Match(q), want) << q;
}

TEST_F(SpanSearchTest, ReportsErrorsWithPositions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"status:broken", "position 7: unknown status 'broken'"},
      {"kind:sideways", "position 5: unknown kind"},
      {"duration:300ms", "position 9: duration needs a comparison"},
      {"duration:>soon", "position 10: 'soon' is not a duration"},
      {"env:>3", "position 4: ranges apply to duration and @attributes only"},
      {"@x:>abc", "position 4: expected a number"},
      {"trace_id:xyz", "position 9: trace_id must be 32 hex digits"},
      {"(service:a", "position 0: unclosed '('"},
  };
  for (const auto& [q, want] : cases) {
    auto s = SpanSearch::Parse(q);
    ASSERT_FALSE(s.ok()) << q;
    EXPECT_NE(s.status().message().find(want), std::string::npos)
        << q << " gave " << s.status().message();
  }
}

TEST_F(SpanSearchTest, TellsWhetherAttributesAreRead) {
  EXPECT_TRUE(SpanSearch::Parse("").value().matches_all());
  EXPECT_FALSE(SpanSearch::Parse("service:a name:b").value().reads_attributes());
  EXPECT_TRUE(SpanSearch::Parse("service:a (x OR -@k:v)").value().reads_attributes());
}

}  // namespace
}  // namespace periscope
