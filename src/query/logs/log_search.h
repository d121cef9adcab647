#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/log_batch.h"
#include "query/logs/log_search_query.h"
#include "storage/logs/log_table.h"

namespace periscope {

// A log search over one tenant: rows in [start_ns, end_ns) matching `query`, newest first.
struct LogSearchRequest {
  std::string tenant = "default";
  LogSearchNode query;
  int64_t start_ns = std::numeric_limits<int64_t>::min();
  int64_t end_ns = std::numeric_limits<int64_t>::max();
  size_t limit = 100;
  std::string cursor;  // `next` of the previous page, "" for the first
};

struct LogSearchStats {
  size_t blocks_read = 0;
  size_t blocks_skipped = 0;  // by time, service or token bloom
  size_t rows_examined = 0;
};

struct LogSearchResult {
  LogBatch rows;     // newest first
  std::string next;  // cursor of the next page, "" when this page is the last
  LogSearchStats stats;
};

// Runs a search; InvalidArgument for a malformed cursor, Corruption from unreadable parts.
Result<LogSearchResult> SearchLogs(const LogTable& table, const LogSearchRequest& request);

// Counts of matching rows per time bucket and severity class name ("error", "info", ...).
struct LogHistogram {
  int64_t start_ns = 0;
  int64_t step_ns = 0;
  std::vector<std::map<std::string, uint64_t>> buckets;  // bucket i starts at start + i*step
};

// Counts rows of `request` (limit and cursor ignored) in buckets of step_ns from start_ns to
// end_ns, both of which must be finite; InvalidArgument when step <= 0 or there would be more
// than max_buckets buckets.
Result<LogHistogram> HistogramLogs(const LogTable& table, const LogSearchRequest& request,
                                   int64_t step_ns, size_t max_buckets = 10000);

// Calls on_row(batch, row) for every row of `request` (limit and cursor ignored): memtable rows,
// then part blocks newest first, pruned like SearchLogs. on_row returning false stops the walk
// before the next block. Corruption from unreadable parts.
Status ForEachMatchingLog(const LogTable& table, const LogSearchRequest& request,
                          const std::function<bool(const LogBatch&, size_t)>& on_row);

// The tie-breaker that orders rows of equal time (a hash of the row content).
uint64_t LogRowTieBreaker(const LogBatch& batch, size_t row);

}  // namespace periscope
