#include "api/request_target.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <map>
#include <string>

namespace periscope {
namespace {

TEST(RequestTargetTest, EscapesWhatBrowsersSendRaw) {
  EXPECT_EQ(EscapeRequestTarget("/q?query=rate(x[5m])"), "/q?query=rate(x%5B5m%5D)");
  EXPECT_EQ(EscapeRequestTarget(R"(/s?match[]=up{job="a b"}|)"),
            "/s?match%5B%5D=up%7Bjob=%22a%20b%22%7D%7C");
}

TEST(RequestTargetTest, KeepsValidEscapesAndEncodesStrayPercent) {
  EXPECT_EQ(EscapeRequestTarget("/a?x=%2F%zz%4"), "/a?x=%2F%25zz%254");
  EXPECT_EQ(EscapeRequestTarget("/a?x=50%"), "/a?x=50%25");
}

TEST(RequestTargetTest, EscapedTargetsParseAndDecodeToWhatWasSent) {
  const std::string raw = R"(/p?query=sum by (le) (rate(x{a="[1]"}[5m]))&t=é)";
  const std::string escaped = EscapeRequestTarget(raw);
  auto parsed = boost::urls::parse_origin_form(escaped);
  ASSERT_TRUE(parsed.has_value());
  std::map<std::string, std::string> params;
  for (auto p : parsed->params()) params[p.key] = p.value;
  EXPECT_EQ(params["query"], R"(sum by (le) (rate(x{a="[1]"}[5m])))");
  EXPECT_EQ(params["t"], "é");
}

TEST(RequestTargetTest, LeavesValidTargetsAlone) {
  const std::string valid = "/api/logs?q=a%20b&limit=10&x=a+b";
  EXPECT_EQ(EscapeRequestTarget(valid), valid);
}

}  // namespace
}  // namespace periscope
