#include "query/logs/log_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <queue>

#include "query/logs/log_block_match.h"
#include "storage/logs/log_block_columns.h"
#include "storage/logs/log_tokens.h"

namespace periscope {

namespace {

constexpr size_t kSeverityClasses = static_cast<size_t>(SeverityClass::kFatal) + 1;

struct Key {
  int64_t time;
  uint64_t tb;
  // "Newer" sorts first.
  bool NewerThan(const Key& o) const { return time != o.time ? time > o.time : tb > o.tb; }
};

std::string EncodeCursor(const Key& k) {
  return fmt::format("{:x}.{:x}", static_cast<uint64_t>(k.time), k.tb);
}

Result<Key> DecodeCursor(std::string_view s) {
  const size_t dot = s.find('.');
  Key k{};
  uint64_t t = 0;
  auto bad = [&] { return Status::InvalidArgument("cursor '{}' is malformed", s); };
  if (dot == std::string_view::npos) return bad();
  auto r1 = std::from_chars(s.data(), s.data() + dot, t, 16);
  auto r2 = std::from_chars(s.data() + dot + 1, s.data() + s.size(), k.tb, 16);
  if (r1.ec != std::errc() || r1.ptr != s.data() + dot || r2.ec != std::errc() ||
      r2.ptr != s.data() + s.size()) {
    return bad();
  }
  k.time = static_cast<int64_t>(t);
  return k;
}

// Visits candidates: memtable rows through on_row(batch, row), then part blocks newest first,
// pruned by time, service and token blooms, through on_block(columns, match) with the matching
// rows of the block set in `match` (only blocks with at least one). `floor()` is the oldest time
// the caller still wants: older rows of a block are not matched, and the walk ends at the first
// block older than it (INT64_MAX ends it at once).
template <typename RowFn, typename BlockFn, typename FloorFn>
Status Walk(const LogTable& table, const LogSearchRequest& req, LogSearchStats& stats,
            int64_t newest_allowed, RowFn&& on_row, BlockFn&& on_block, FloorFn&& floor) {
  std::vector<std::string> required;
  req.query.RequiredTokens(&required);
  std::vector<uint64_t> tokens, format1_tokens;  // what blooms of format 2 / format 1 hold
  for (const auto& t : required) {
    tokens.push_back(logs::TokenHash(t));
    if (logs::IsFormat1BloomToken(t)) format1_tokens.push_back(tokens.back());
  }
  const auto services = req.query.RequiredServices();
  auto service_ok = [&](const std::string& s) {
    return !services || std::find(services->begin(), services->end(), s) != services->end();
  };
  auto in_range = [&](int64_t lo, int64_t hi) {
    return hi >= req.start_ns && lo < req.end_ns && lo <= newest_allowed;
  };
  auto row_in_range = [&](int64_t t) {
    return t >= req.start_ns && t < req.end_ns && t <= newest_allowed;
  };
  LogSnapshot snap = table.Snapshot(req.tenant);
  for (const auto& batch : snap.memtable) {
    for (size_t r = 0; r < batch->size(); ++r) {
      if (!row_in_range(batch->time_ns[r])) continue;
      ++stats.rows_examined;
      if (req.query.Matches(*batch, r)) on_row(*batch, r);
    }
  }
  struct BlockRef {
    const LogPart* part;
    size_t block;
    int64_t max_time;
  };
  std::vector<BlockRef> blocks;
  for (const auto& part : snap.parts) {
    const LogPartMeta& m = part->meta();
    if (!in_range(m.min_time_ns, m.max_time_ns)) {
      stats.blocks_skipped += part->blocks().size();
      continue;
    }
    const auto& hashes = part->BloomHasNumericTokens() ? tokens : format1_tokens;
    for (size_t i = 0; i < part->blocks().size(); ++i) {
      const LogBlockInfo& b = part->blocks()[i];
      if (!in_range(b.min_time_ns, b.max_time_ns) || !service_ok(b.service) ||
          (!hashes.empty() && !part->BlockMayContainAll(i, hashes))) {
        ++stats.blocks_skipped;
        continue;
      }
      blocks.push_back({part.get(), i, b.max_time_ns});
    }
  }
  std::sort(blocks.begin(), blocks.end(),
            [](const BlockRef& a, const BlockRef& b) { return a.max_time > b.max_time; });
  std::vector<uint8_t> mask, match;
  LogBlockMatchCache cache;
  LogColumnBuffers buffers;
  for (const auto& ref : blocks) {
    const int64_t oldest_wanted = floor();
    if (ref.max_time < oldest_wanted) break;
    LogBlockColumns columns(*ref.part, ref.block, &buffers);
    const LogBlockInfo& info = ref.part->blocks()[ref.block];
    if (row_in_range(info.min_time_ns) && row_in_range(info.max_time_ns) &&
        info.min_time_ns >= oldest_wanted) {
      mask.assign(info.rows, 1);
    } else {
      ASSIGN_OR_RETURN(const std::vector<int64_t>* times, columns.Times());
      mask.resize(times->size());
      for (size_t r = 0; r < times->size(); ++r) {
        const int64_t t = (*times)[r];
        mask[r] = row_in_range(t) && t >= oldest_wanted ? 1 : 0;
      }
    }
    ++stats.blocks_read;
    stats.rows_examined += static_cast<size_t>(std::count(mask.begin(), mask.end(), 1));
    RETURN_IF_ERROR(MatchLogBlock(req.query, columns, ref.block, mask, &match, &cache));
    if (std::find(match.begin(), match.end(), 1) == match.end()) continue;
    RETURN_IF_ERROR(on_block(columns, match));
  }
  return Status::Ok();
}

// on_block for callers that want whole rows: decodes the matching rows and calls on_row on each.
template <typename RowFn>
auto RowsOfBlock(RowFn& on_row) {
  return [&on_row](LogBlockColumns& columns, const std::vector<uint8_t>& match) -> Status {
    LogBatch rows;
    RETURN_IF_ERROR(columns.SelectedRows(match, &rows));
    for (size_t r = 0; r < rows.size(); ++r) on_row(rows, r);
    return Status::Ok();
  };
}

}  // namespace

uint64_t LogRowTieBreaker(const LogBatch& b, size_t row) {
  std::string key = b.tags(row).service;
  key.push_back('\0');
  key += b.body[row].str;
  key.push_back('\0');
  key += std::to_string(b.body[row].int_value) + "/" + std::to_string(b.severity_number[row]) +
         "/" + std::to_string(b.observed_time_ns[row]);
  key += b.trace_id[row].View();
  key += b.span_id[row].View();
  for (const auto& kv : b.attributes[row]) key += kv.key + "=" + kv.value.ToString() + ";";
  return logs::TokenHash(key);
}

Result<LogSearchResult> SearchLogs(const LogTable& table, const LogSearchRequest& req) {
  LogSearchResult out;
  std::optional<Key> after;
  if (!req.cursor.empty()) {
    ASSIGN_OR_RETURN(Key k, DecodeCursor(req.cursor));
    after = k;
  }
  const size_t limit = std::max<size_t>(1, req.limit);
  LogBatch pool;
  pool.tenant = req.tenant;
  struct Entry {
    Key key;
    size_t pool_row;
  };
  // Max-heap on "older": the top is the oldest kept row, evicted first.
  auto older_first = [](const Entry& a, const Entry& b) { return a.key.NewerThan(b.key); };
  std::priority_queue<Entry, std::vector<Entry>, decltype(older_first)> heap(older_first);
  auto on_row = [&](const LogBatch& b, size_t r) {
    const Key k{b.time_ns[r], LogRowTieBreaker(b, r)};
    if (after && !after->NewerThan(k)) return;
    if (heap.size() == limit) {
      if (!k.NewerThan(heap.top().key)) return;
      heap.pop();
    }
    pool.AppendRow(b, r);
    heap.push({k, pool.size() - 1});
  };
  auto floor = [&] {
    return heap.size() == limit ? heap.top().key.time : std::numeric_limits<int64_t>::min();
  };
  // Decodes only the matches that can still enter the page: not older than the oldest kept row
  // when the heap is full, and not older than the limit-th newest match of the block itself.
  std::vector<uint8_t> wanted;
  std::vector<int64_t> match_times;
  auto on_block = [&](LogBlockColumns& columns, const std::vector<uint8_t>& match) -> Status {
    ASSIGN_OR_RETURN(const std::vector<int64_t>* times, columns.Times());
    match_times.clear();
    for (size_t r = 0; r < match.size(); ++r) {
      // A row at the cursor's time may still be dropped by its tie-breaker: it does not count.
      if (match[r] && (!after || (*times)[r] < after->time)) match_times.push_back((*times)[r]);
    }
    int64_t oldest = floor();
    if (match_times.size() >= limit) {
      auto nth = match_times.begin() + static_cast<std::ptrdiff_t>(limit - 1);
      std::nth_element(match_times.begin(), nth, match_times.end(), std::greater<int64_t>());
      oldest = std::max(oldest, *nth);
    }
    wanted.assign(match.size(), 0);
    bool any = false;
    for (size_t r = 0; r < match.size(); ++r) {
      wanted[r] = match[r] && (*times)[r] >= oldest;
      any |= wanted[r] != 0;
    }
    if (!any) return Status::Ok();
    return RowsOfBlock(on_row)(columns, wanted);
  };
  const int64_t newest = after ? after->time : std::numeric_limits<int64_t>::max();
  RETURN_IF_ERROR(Walk(table, req, out.stats, newest, on_row, on_block, floor));
  std::vector<Entry> kept;
  while (!heap.empty()) {
    kept.push_back(heap.top());
    heap.pop();
  }
  std::reverse(kept.begin(), kept.end());  // newest first
  out.rows.tenant = req.tenant;
  for (const auto& e : kept) out.rows.AppendRow(pool, e.pool_row);
  if (kept.size() == limit) out.next = EncodeCursor(kept.back().key);
  return out;
}

Status ForEachMatchingLog(const LogTable& table, const LogSearchRequest& req,
                          const std::function<bool(const LogBatch&, size_t)>& on_row) {
  LogSearchStats stats;
  bool stopped = false;
  auto visit = [&](const LogBatch& b, size_t r) {
    if (!stopped && !on_row(b, r)) stopped = true;
  };
  return Walk(
      table, req, stats, std::numeric_limits<int64_t>::max(), visit, RowsOfBlock(visit), [&] {
        return stopped ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
      });
}

Result<LogHistogram> HistogramLogs(const LogTable& table, const LogSearchRequest& req,
                                   int64_t step_ns, size_t max_buckets) {
  if (step_ns <= 0) return Status::InvalidArgument("step must be positive");
  if (req.start_ns == std::numeric_limits<int64_t>::min() ||
      req.end_ns == std::numeric_limits<int64_t>::max() || req.end_ns <= req.start_ns) {
    return Status::InvalidArgument("histogram needs start < end");
  }
  const uint64_t span = static_cast<uint64_t>(req.end_ns) - static_cast<uint64_t>(req.start_ns);
  const uint64_t n = (span + static_cast<uint64_t>(step_ns) - 1) / static_cast<uint64_t>(step_ns);
  if (n > max_buckets) {
    return Status::InvalidArgument("{} buckets is more than {}; use a larger step", n, max_buckets);
  }
  LogHistogram h;
  h.start_ns = req.start_ns;
  h.step_ns = step_ns;
  h.buckets.resize(n);
  LogSearchStats stats;
  // Counts per bucket and severity class, named at the end.
  std::vector<std::array<uint64_t, kSeverityClasses>> counts(n);
  auto bucket_of = [&](int64_t t) {
    return (static_cast<uint64_t>(t) - static_cast<uint64_t>(req.start_ns)) /
           static_cast<uint64_t>(step_ns);
  };
  auto on_row = [&](const LogBatch& b, size_t r) {
    ++counts[bucket_of(b.time_ns[r])][static_cast<size_t>(b.severity_class(r))];
  };
  // Counts from the time and severity columns alone.
  auto on_block = [&](LogBlockColumns& columns, const std::vector<uint8_t>& match) -> Status {
    ASSIGN_OR_RETURN(const std::vector<int64_t>* times, columns.Times());
    ASSIGN_OR_RETURN(const std::vector<SeverityClass>* classes, columns.SeverityClasses());
    for (size_t r = 0; r < match.size(); ++r) {
      if (match[r]) ++counts[bucket_of((*times)[r])][static_cast<size_t>((*classes)[r])];
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(Walk(table, req, stats, std::numeric_limits<int64_t>::max(), on_row, on_block,
                       [] { return std::numeric_limits<int64_t>::min(); }));
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < kSeverityClasses; ++c) {
      if (counts[i][c] == 0) continue;
      h.buckets[i][std::string(SeverityClassName(static_cast<SeverityClass>(c)))] = counts[i][c];
    }
  }
  return h;
}

}  // namespace periscope
