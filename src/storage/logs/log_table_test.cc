#include "storage/logs/log_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "storage/logs/log_testing.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

TEST(LogTableTest, MergeKeepsEveryRowOnceAndCompressesHarder) {
  const fs::path dir = fs::temp_directory_path() / ("log_table_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  LogTableOptions options;
  options.dir = dir.string();
  options.merge_fan_in = 2;
  auto table = LogTable::Open(options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  uint64_t seq = 0;
  size_t lines = 0;
  for (const std::string& file : logs::LoghubFiles()) {
    if (file.find("HDFS") == std::string::npos && file.find("Linux") == std::string::npos) continue;
    std::vector<std::string> content = logs::ReadLines(file);
    lines += content.size();
    (*table)->Insert(++seq, logs::LinesToBatch(content, fs::path(file).stem().string(),
                                               1'795'000'000'000'000'000));
    (*table)->Freeze();
    ASSERT_TRUE((*table)->WriteFrozen(seq).ok());
  }
  ASSERT_EQ((*table)->part_count(), 2u);
  const uint64_t flushed_bytes = (*table)->part_bytes();
  auto merged = (*table)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(*merged);
  ASSERT_EQ((*table)->part_count(), 1u);
  LogSnapshot snap = (*table)->Snapshot("default");
  ASSERT_EQ(snap.parts.size(), 1u);
  EXPECT_EQ(snap.parts[0]->meta().rows, lines);
  // Merged parts use zstd 9: measured 52,696 bytes against 53,654 flushed at level 3 (a level-3
  // merge gives 53,594, which fails this bound).
  EXPECT_LT((*table)->part_bytes(), flushed_bytes * 99 / 100);
  fs::remove_all(dir);
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The merge writes the blocks it reads as separate batches; the part must be the one that
// concatenating them into one batch (what merges did before) gives, byte for byte.
TEST(LogTableTest, MergedPartEqualsPartOfConcatenatedInputs) {
  const fs::path dir =
      fs::temp_directory_path() / ("log_table_concat_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  LogTableOptions options;
  options.dir = dir.string();
  options.merge_fan_in = 3;
  auto table = LogTable::Open(options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  // Three parts of two services each (two blocks per part).
  const std::vector<std::string> files = logs::LoghubFiles();
  ASSERT_GE(files.size(), 6u);
  uint64_t seq = 0;
  for (size_t i = 0; i < 6; ++i) {
    std::vector<std::string> content = logs::ReadLines(files[i]);
    ++seq;
    (*table)->Insert(seq, logs::LinesToBatch(content, fs::path(files[i]).stem().string(),
                                             1'795'000'000'000'000'000 + 7 * seq));
    if (seq % 2 == 1) continue;
    (*table)->Freeze();
    ASSERT_TRUE((*table)->WriteFrozen(seq).ok());
  }
  ASSERT_EQ((*table)->part_count(), 3u);
  const std::vector<std::shared_ptr<LogPart>> inputs = (*table)->Snapshot("default").parts;
  auto merged = (*table)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ASSERT_TRUE(*merged);
  LogSnapshot snap = (*table)->Snapshot("default");
  ASSERT_EQ(snap.parts.size(), 1u);
  const LogPartMeta& meta = snap.parts[0]->meta();
  ASSERT_EQ(meta.replaces.size(), 3u);
  LogBatch concatenated;
  size_t blocks = 0;
  for (uint64_t id : meta.replaces) {
    auto it = std::find_if(inputs.begin(), inputs.end(),
                           [&](const auto& p) { return p->meta().part_id == id; });
    ASSERT_NE(it, inputs.end());
    for (size_t i = 0; i < (*it)->blocks().size(); ++i) {
      LogBatch block;
      ASSERT_TRUE((*it)->ReadBlock(i, &block).ok());
      concatenated.Append(std::move(block));
      ++blocks;
    }
  }
  ASSERT_EQ(blocks, 6u);
  const std::string expected_path = (dir / "expected.lgp").string();
  LogPartWriteOptions merge_options;
  merge_options.zstd_level = 9;
  ASSERT_TRUE(WriteLogPart(expected_path, std::move(concatenated), meta, merge_options).ok());
  const std::string expected = FileBytes(expected_path);
  ASSERT_FALSE(expected.empty());
  EXPECT_TRUE(FileBytes(snap.parts[0]->path()) == expected);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace periscope
