#include "loadgen/log_line_varier.h"

#include <gtest/gtest.h>

#include <cctype>

namespace periscope::loadgen {
namespace {

std::string Vary(std::string_view line, uint64_t key) {
  std::string out;
  VaryLine(line, key, &out);
  return out;
}

TEST(LogLineVarierTest, VariableTokens) {
  EXPECT_TRUE(IsVariableToken("148"));
  EXPECT_TRUE(IsVariableToken("9f4ef63"));
  EXPECT_TRUE(IsVariableToken("6952295868487656571"));
  EXPECT_FALSE(IsVariableToken("12"));
  EXPECT_FALSE(IsVariableToken("face"));  // hex letters only
  EXPECT_FALSE(IsVariableToken("R02"));
  EXPECT_FALSE(IsVariableToken("INFO"));
}

TEST(LogLineVarierTest, VariesIdsKeepsWordsPunctuationAndShape) {
  std::string_view line =
      "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
      "blk_-6952295868487656571 terminating AppWindowToken{9f4ef63 token=Token{a64f992}";
  std::string out = Vary(line, 7);
  ASSERT_EQ(out.size(), line.size());
  EXPECT_NE(out, line);
  for (size_t i = 0; i < line.size(); ++i) {
    char a = line[i], b = out[i];
    if (std::isdigit(static_cast<unsigned char>(a))) {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(b))) << i;
    } else if (a >= 'a' && a <= 'f' && a != b) {
      EXPECT_TRUE(b >= 'a' && b <= 'f') << i;
    }
  }
  EXPECT_NE(out.find(" INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_-"),
            std::string::npos);
  EXPECT_EQ(out.find("6952295868487656571"), std::string::npos);
  EXPECT_EQ(out.find("9f4ef63"), std::string::npos);
  EXPECT_NE(out.find("terminating AppWindowToken{"), std::string::npos);
  EXPECT_NE(out[out.find("blk_-") + 5], '0');  // a leading non-zero digit stays non-zero
}

TEST(LogLineVarierTest, SameTokenAndKeyGiveTheSameReplacement) {
  std::string a = Vary("open block blk_123456789 on 10.251.73.220", 3);
  std::string b = Vary("close block blk_123456789 after 5 s", 3);
  EXPECT_EQ(a.substr(a.find("blk_"), 13), b.substr(b.find("blk_"), 13));
  std::string c = Vary("close block blk_123456789 after 5 s", 4);
  EXPECT_NE(b.substr(b.find("blk_"), 13), c.substr(c.find("blk_"), 13));
  EXPECT_EQ(Vary("close block blk_123456789 after 5 s", 4), c);
}

}  // namespace
}  // namespace periscope::loadgen
