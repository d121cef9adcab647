#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "storage/logs/log_part.h"
#include "storage/logs/log_testing.h"

namespace periscope {
namespace {

// Every Loghub sample in one part (a service each): any selection of rows of a block reads the
// same bodies and times as the whole block, including a single row and the last one.
TEST(LogPartReaderTest, SelectedRowsEqualTheWholeBlockOnLoghub) {
  const auto files = logs::LoghubFiles();
  if (files.empty()) GTEST_SKIP() << "no Loghub data";
  const auto dir =
      std::filesystem::temp_directory_path() / ("log_part_rows_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  LogBatch all;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string service = std::filesystem::path(files[f]).stem().string();
    LogBatch b = logs::LinesToBatch(logs::ReadLines(files[f]), service, 1'000'000'000);
    all.Append(std::move(b));
  }
  const std::string path = (dir / "p.lgp").string();
  ASSERT_TRUE(WriteLogPart(path, std::move(all), LogPartMeta()).ok());
  auto part = LogPart::Open(path);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ASSERT_GE((*part)->blocks().size(), files.size());
  size_t compared = 0;
  for (size_t i = 0; i < (*part)->blocks().size(); ++i) {
    LogBatch whole;
    ASSERT_TRUE((*part)->ReadBlock(i, &whole).ok());
    const auto n = static_cast<uint32_t>(whole.size());
    std::vector<std::vector<uint32_t>> selections = {{0}, {n - 1}, {n / 2, n / 2 + 1, n / 2 + 2}};
    std::vector<uint32_t> sparse;
    for (uint32_t r = 3; r < n; r += 97) sparse.push_back(r);
    selections.push_back(sparse);
    for (const auto& rows : selections) {
      LogBatch some;
      ASSERT_TRUE((*part)->ReadBlockRows(i, rows, &some).ok());
      ASSERT_TRUE(some.IsConsistent());
      ASSERT_EQ(some.size(), rows.size());
      for (size_t k = 0; k < rows.size(); ++k) {
        ASSERT_EQ(some.body[k].str, whole.body[rows[k]].str) << "block " << i << " row " << rows[k];
        ASSERT_EQ(some.time_ns[k], whole.time_ns[rows[k]]);
        ASSERT_EQ(some.tags(k).service, whole.tags(rows[k]).service);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 300u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace periscope
