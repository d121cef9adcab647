#pragma once

#include <cstdint>
#include <string>

#include "base/metrics.h"
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

// Registers periscope_<signal>_parts, _part_bytes, _memtable_rows and _memtable_bytes of a table;
// `rows` names its rows ("Spans", "Log records").
template <typename Table>
void AddTableGauges(ScopedGauges& gauges, const std::string& signal, const std::string& rows,
                    const Table& table) {
  const std::string prefix = "periscope_" + signal;
  gauges.Add(prefix + "_parts", "Parts on disk.",
             [&table] { return static_cast<double>(table.part_count()); });
  gauges.Add(prefix + "_part_bytes", "Bytes of parts on disk.",
             [&table] { return static_cast<double>(table.part_bytes()); });
  gauges.Add(prefix + "_memtable_rows", rows + " in the memtable.", [&table] {
    if constexpr (requires { table.memtable_samples(); }) {
      return static_cast<double>(table.memtable_samples());
    } else {
      return static_cast<double>(table.memtable_rows());
    }
  });
  gauges.Add(prefix + "_memtable_bytes", "Approximate memtable bytes.",
             [&table] { return static_cast<double>(table.memtable_bytes()); });
}

}  // namespace periscope
