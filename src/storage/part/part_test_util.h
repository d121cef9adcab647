#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/span_batch.h"

namespace periscope::part::testing {

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() : TempDir(CurrentTestName()) {}
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("periscope_part_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static std::string CurrentTestName() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return info ? std::string(info->test_suite_name()) + "_" + info->name() : "suite";
  }
  std::filesystem::path path_;
};

// Expects row `a_row` of `a` and row `b_row` of `b` to be equal in every field, including
// their resource and scope.
inline void ExpectSameRow(const SpanBatch& a, size_t a_row, const SpanBatch& b, size_t b_row) {
  SCOPED_TRACE("span " + a.span_id[a_row].Hex());
  EXPECT_EQ(a.resource(a_row), b.resource(b_row));
  EXPECT_EQ(a.resource(a_row).tags, b.resource(b_row).tags);
  EXPECT_EQ(a.scope(a_row), b.scope(b_row));
  EXPECT_EQ(a.trace_id[a_row], b.trace_id[b_row]);
  EXPECT_EQ(a.span_id[a_row], b.span_id[b_row]);
  EXPECT_EQ(a.parent_span_id[a_row], b.parent_span_id[b_row]);
  EXPECT_EQ(a.trace_state[a_row], b.trace_state[b_row]);
  EXPECT_EQ(a.flags[a_row], b.flags[b_row]);
  EXPECT_EQ(a.name[a_row], b.name[b_row]);
  EXPECT_EQ(a.kind[a_row], b.kind[b_row]);
  EXPECT_EQ(a.start_ns[a_row], b.start_ns[b_row]);
  EXPECT_EQ(a.end_ns[a_row], b.end_ns[b_row]);
  EXPECT_EQ(a.attributes[a_row], b.attributes[b_row]);
  EXPECT_EQ(a.dropped_attributes_count[a_row], b.dropped_attributes_count[b_row]);
  EXPECT_EQ(a.events[a_row], b.events[b_row]);
  EXPECT_EQ(a.dropped_events_count[a_row], b.dropped_events_count[b_row]);
  EXPECT_EQ(a.links[a_row], b.links[b_row]);
  EXPECT_EQ(a.dropped_links_count[a_row], b.dropped_links_count[b_row]);
  EXPECT_EQ(a.status_code[a_row], b.status_code[b_row]);
  EXPECT_EQ(a.status_message[a_row], b.status_message[b_row]);
}

}  // namespace periscope::part::testing
