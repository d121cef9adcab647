#pragma once

#include <cstdint>

#include "server/table_driver.h"

namespace periscope {

// FlushableTable over a SpanTable, LogTable or MetricTable (whose rows are samples and whose
// retention clock is given in units of retention_clock_ns). Does not own the table.
template <typename Table>
class TableAdapter final : public FlushableTable {
 public:
  explicit TableAdapter(Table& table, int64_t retention_clock_ns = 1)
      : table_(table), retention_clock_ns_(retention_clock_ns) {}

  void Freeze() override { table_.Freeze(); }
  Status WriteFrozen(uint64_t covered_seq) override { return table_.WriteFrozen(covered_seq); }
  Result<bool> MergeOnce() override { return table_.MergeOnce(); }
  Status ApplyRetention(int64_t now_ns) override {
    return table_.ApplyRetention(now_ns / retention_clock_ns_).status();
  }
  size_t memtable_rows() const override {
    if constexpr (requires { table_.memtable_samples(); }) {
      return table_.memtable_samples();
    } else {
      return table_.memtable_rows();
    }
  }
  size_t memtable_bytes() const override { return table_.memtable_bytes(); }

 private:
  Table& table_;
  const int64_t retention_clock_ns_;
};

}  // namespace periscope
