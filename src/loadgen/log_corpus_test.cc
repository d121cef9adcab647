#include "loadgen/log_corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace periscope::loadgen {
namespace {

TEST(LogCorpusTest, SeverityFromLevelWordsAndAndroidLetters) {
  struct Case {
    std::string_view line;
    int number;
    std::string_view text;
  };
  const Case cases[] = {
      {"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1", 9, "INFO"},
      {"[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", 17, "ERROR"},
      {"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", 10, "NOTICE"},
      {"2015-07-29 19:04:29,071 - WARN  [SendWorker:188978561024:QuorumCnxManager", 13, "WARN"},
      {"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack", 9, "INFO"},
      {"03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs", 5, "DEBUG"},
      {"03-17 16:13:38.811  1702  2395 E AndroidRuntime: FATAL EXCEPTION", 17, "ERROR"},
      {"- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
       "R02-M1-N0-C:J12-U11 RAS KERNEL FATAL data storage interrupt",
       21, "FATAL"},
      {"Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown", 0, ""},
      {"20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579", 0, ""},
  };
  for (const Case& c : cases) {
    LineSeverity s = SeverityOfLine(c.line);
    EXPECT_EQ(s.number, c.number) << c.line;
    EXPECT_EQ(s.text, c.text) << c.line;
  }
}

TEST(LogCorpusTest, ServiceNameIsTheLowerCasedFilePrefix) {
  EXPECT_EQ(ServiceNameOfFile("HDFS_2k.log"), "hdfs");
  EXPECT_EQ(ServiceNameOfFile("OpenSSH_2k.log"), "openssh");
  EXPECT_EQ(ServiceNameOfFile("plain.log"), "plain");
}

TEST(LogCorpusTest, CleansLinesAndDropsEmptyOnes) {
  LogCorpus corpus =
      LogCorpus::FromLines({{"a", {"one INFO x\r", "", "caf\xc3\xa9 bad\x01"}}, {"empty", {""}}});
  ASSERT_EQ(corpus.data_sets().size(), 1u);
  const auto& lines = corpus.data_sets()[0].lines;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "one INFO x");
  EXPECT_EQ(lines[0].severity.number, 9);
  EXPECT_EQ(lines[1].text, "caf?? bad?");
  EXPECT_EQ(corpus.total_lines(), 2u);
}

TEST(LogCorpusTest, LoadsEveryLogFileOfADirectory) {
  auto dir =
      std::filesystem::temp_directory_path() /
      ("log_corpus_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "Zoo_2k.log") << "2015 - INFO  [x] - hello\r\n2015 - WARN  [y] - careful\r\n";
  std::ofstream(dir / "Apache_2k.log") << "[x] [error] boom\n";
  std::ofstream(dir / "README.md") << "not a log\n";
  auto corpus = LogCorpus::Load(dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ASSERT_EQ(corpus->data_sets().size(), 2u);
  EXPECT_EQ(corpus->data_sets()[0].service, "apache");
  EXPECT_EQ(corpus->data_sets()[1].service, "zoo");
  EXPECT_EQ(corpus->data_sets()[1].lines[1].text, "2015 - WARN  [y] - careful");
  EXPECT_EQ(corpus->data_sets()[1].lines[1].severity.number, 13);
}

TEST(LogCorpusTest, MissingDirectoryIsAnError) {
  auto corpus = LogCorpus::Load("/nonexistent/loghub");
  EXPECT_FALSE(corpus.ok());
}

}  // namespace
}  // namespace periscope::loadgen
