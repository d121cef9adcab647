#include "storage/span_table.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"

namespace periscope {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPartSuffix = ".spp";

Counter* const g_flushes = MetricsRegistry::Global().NewCounter("periscope_span_flushes_total",
                                                                "Memtable flushes to parts.");
Histogram* const g_flush_seconds = MetricsRegistry::Global().NewHistogram(
    "periscope_span_flush_duration_seconds", "Time to write one flushed span part.");
Counter* const g_merges =
    MetricsRegistry::Global().NewCounter("periscope_span_merges_total", "Span part merges.");
Histogram* const g_merge_seconds = MetricsRegistry::Global().NewHistogram(
    "periscope_span_merge_duration_seconds", "Time to merge span parts.");
Counter* const g_retention_deleted = MetricsRegistry::Global().NewCounter(
    "periscope_span_parts_expired_total", "Span parts deleted by retention.");

// Tenant names become directory names: keep [A-Za-z0-9_-], hex-escape everything else.
std::string TenantDirName(const std::string& tenant) {
  std::string out;
  for (unsigned char c : tenant) {
    if (std::isalnum(c) || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02x}", c);
    }
  }
  return out.empty() ? "%" : out;
}

}  // namespace

Result<std::unique_ptr<SpanTable>> SpanTable::Open(const SpanTableOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IOError("creating {}: {}", options.dir, ec.message());
  std::unique_ptr<SpanTable> table(new SpanTable(options));
  RETURN_IF_ERROR(table->LoadParts());
  return table;
}

Status SpanTable::LoadParts() {
  std::vector<std::shared_ptr<SpanPart>> opened;
  std::error_code ec;
  for (const auto& tenant_dir : fs::directory_iterator(options_.dir, ec)) {
    if (!tenant_dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(tenant_dir.path(), ec)) {
      const std::string path = entry.path().string();
      if (entry.path().extension() == ".tmp") {
        LogWarn("removing unfinished part file {}", path);
        fs::remove(entry.path(), ec);
        continue;
      }
      if (entry.path().extension() != kPartSuffix) continue;
      auto part = SpanPart::Open(path);
      if (!part.ok()) {
        LogError("part {} does not open ({}); renaming it to {}.corrupt", path,
                 part.status().ToString(), path);
        fs::rename(entry.path(), path + ".corrupt", ec);
        continue;
      }
      opened.push_back(std::move(part).value());
    }
  }
  if (ec) return Status::IOError("listing {}: {}", options_.dir, ec.message());
  std::set<uint64_t> replaced;
  for (const auto& p : opened)
    replaced.insert(p->meta().replaces.begin(), p->meta().replaces.end());
  for (auto& p : opened) {
    next_part_id_ = std::max(next_part_id_, p->meta().part_id + 1);
    if (replaced.count(p->meta().part_id)) {
      LogInfo("removing part {} already merged into a newer part", p->path());
      fs::remove(p->path(), ec);
      continue;
    }
    flushed_wal_seq_ = std::max(flushed_wal_seq_, p->meta().max_wal_seq);
    AddPartLocked(std::move(p));
  }
  LogInfo("span table: {} parts, WAL covered up to seq {}", opened.size(), flushed_wal_seq_);
  return Status::Ok();
}

void SpanTable::AddPartLocked(std::shared_ptr<SpanPart> part) {
  parts_[part->meta().tenant].push_back(std::move(part));
}

std::string SpanTable::PartPath(const std::string& tenant, uint64_t part_id) const {
  return fmt::format("{}/{}/part-{:020}{}", options_.dir, TenantDirName(tenant), part_id,
                     kPartSuffix);
}

uint64_t SpanTable::flushed_wal_seq() const {
  std::shared_lock lock(mu_);
  return flushed_wal_seq_;
}

void SpanTable::Insert(uint64_t seq, SpanBatch batch) {
  if (batch.empty()) return;
  const size_t bytes = batch.ApproximateBytes();
  const size_t rows = batch.size();
  auto shared = std::make_shared<const SpanBatch>(std::move(batch));
  std::unique_lock lock(mu_);
  active_.push_back({seq, std::move(shared)});
  active_bytes_ += bytes;
  memtable_rows_ += rows;
}

uint64_t SpanTable::Freeze() {
  std::unique_lock lock(mu_);
  uint64_t max_seq = 0;
  for (auto& m : active_) {
    max_seq = std::max(max_seq, m.seq);
    frozen_.push_back(std::move(m));
  }
  for (const auto& m : frozen_) max_seq = std::max(max_seq, m.seq);
  active_.clear();
  frozen_bytes_ += active_bytes_;
  active_bytes_ = 0;
  return max_seq;
}

Status SpanTable::WriteFrozen(uint64_t covered_seq) {
  std::vector<MemBatch> frozen;
  uint64_t first_id;
  {
    std::shared_lock lock(mu_);
    frozen = frozen_;
  }
  if (frozen.empty()) {
    std::unique_lock lock(mu_);
    flushed_wal_seq_ = std::max(flushed_wal_seq_, covered_seq);
    return Status::Ok();
  }
  // The part is written straight from the shared batches, which stay queryable meanwhile.
  std::map<std::string, std::vector<std::shared_ptr<const SpanBatch>>> by_tenant;
  for (const auto& m : frozen) by_tenant[m.batch->tenant].push_back(m.batch);
  {
    std::unique_lock lock(mu_);
    first_id = next_part_id_;
    next_part_id_ += by_tenant.size();
  }
  std::vector<std::shared_ptr<SpanPart>> written;
  uint64_t id = first_id;
  for (auto& [tenant, batches] : by_tenant) {
    const int64_t t0 = MonotonicNanos();
    std::error_code ec;
    const std::string path = PartPath(tenant, id);
    fs::create_directories(fs::path(path).parent_path(), ec);
    SpanPartMeta meta;
    meta.part_id = id++;
    meta.tenant = tenant;
    meta.level = 0;
    meta.max_wal_seq = covered_seq;
    size_t rows = 0;
    for (const auto& b : batches) rows += b->size();
    RETURN_IF_ERROR(WriteSpanPart(path, batches, meta));
    ASSIGN_OR_RETURN(auto part, SpanPart::Open(path));
    written.push_back(std::move(part));
    g_flushes->Add();
    g_flush_seconds->Observe(static_cast<double>(MonotonicNanos() - t0) / 1e9);
    LogDebug("flushed {} spans of tenant {} to {}", rows, tenant, path);
  }
  std::unique_lock lock(mu_);
  for (auto& p : written) AddPartLocked(std::move(p));
  size_t removed_rows = 0;
  for (const auto& m : frozen) removed_rows += m.batch->size();
  frozen_.erase(frozen_.begin(), frozen_.begin() + static_cast<ptrdiff_t>(frozen.size()));
  frozen_bytes_ = 0;
  for (const auto& m : frozen_) frozen_bytes_ += m.batch->ApproximateBytes();
  memtable_rows_ -= removed_rows;
  flushed_wal_seq_ = std::max(flushed_wal_seq_, covered_seq);
  return Status::Ok();
}

Result<bool> SpanTable::MergeOnce() {
  std::lock_guard merge_lock(merge_mu_);
  std::vector<std::shared_ptr<SpanPart>> inputs;
  {
    std::shared_lock lock(mu_);
    for (const auto& [tenant, parts] : parts_) {
      std::map<uint32_t, std::vector<std::shared_ptr<SpanPart>>> by_level;
      for (const auto& p : parts) by_level[p->meta().level].push_back(p);
      for (auto& [level, group] : by_level) {
        if (group.size() < options_.merge_fan_in) continue;
        std::sort(group.begin(), group.end(),
                  [](const auto& a, const auto& b) { return a->file_bytes() < b->file_bytes(); });
        std::vector<std::shared_ptr<SpanPart>> pick;
        uint64_t bytes = 0;
        for (const auto& p : group) {
          if (pick.size() == options_.merge_fan_in) break;
          if (bytes + p->file_bytes() > options_.max_merged_part_bytes) break;
          bytes += p->file_bytes();
          pick.push_back(p);
        }
        if (pick.size() >= 2 && pick.size() == options_.merge_fan_in) {
          inputs = std::move(pick);
          break;
        }
      }
      if (!inputs.empty()) break;
    }
  }
  if (inputs.empty()) return false;
  const int64_t t0 = MonotonicNanos();
  const std::string tenant = inputs.front()->meta().tenant;
  std::vector<std::shared_ptr<const SpanBatch>> merged;
  SpanPartMeta meta;
  meta.tenant = tenant;
  for (const auto& p : inputs) {
    ASSIGN_OR_RETURN(auto blocks, p->ReadAllBlocks());
    merged.insert(merged.end(), std::make_move_iterator(blocks.begin()),
                  std::make_move_iterator(blocks.end()));
    meta.level = std::max(meta.level, p->meta().level + 1);
    meta.max_wal_seq = std::max(meta.max_wal_seq, p->meta().max_wal_seq);
    meta.replaces.push_back(p->meta().part_id);
  }
  {
    std::unique_lock lock(mu_);
    meta.part_id = next_part_id_++;
  }
  const std::string path = PartPath(tenant, meta.part_id);
  RETURN_IF_ERROR(WriteSpanPart(path, merged, meta));
  merged.clear();
  ASSIGN_OR_RETURN(auto part, SpanPart::Open(path));
  {
    std::unique_lock lock(mu_);
    auto& parts = parts_[tenant];
    std::set<uint64_t> gone(meta.replaces.begin(), meta.replaces.end());
    std::erase_if(parts, [&](const auto& p) { return gone.count(p->meta().part_id) > 0; });
    parts.push_back(part);
  }
  std::error_code ec;
  for (const auto& p : inputs) fs::remove(p->path(), ec);
  g_merges->Add();
  g_merge_seconds->Observe(static_cast<double>(MonotonicNanos() - t0) / 1e9);
  LogInfo("merged {} parts into {} ({} spans, level {})", inputs.size(), path, part->meta().rows,
          meta.level);
  return true;
}

Result<size_t> SpanTable::ApplyRetention(int64_t now_ns) {
  const int64_t cutoff = now_ns - options_.retention_ns;
  std::vector<std::shared_ptr<SpanPart>> expired;
  {
    std::unique_lock lock(mu_);
    for (auto& [tenant, parts] : parts_) {
      std::erase_if(parts, [&](const auto& p) {
        if (p->meta().max_start_ns >= cutoff) return false;
        expired.push_back(p);
        return true;
      });
    }
  }
  std::error_code ec;
  for (const auto& p : expired) {
    LogInfo("retention: deleting {} (newest span {})", p->path(),
            FormatRfc3339(p->meta().max_start_ns));
    fs::remove(p->path(), ec);
  }
  g_retention_deleted->Add(expired.size());
  return expired.size();
}

SpanSnapshot SpanTable::Snapshot(const std::string& tenant) const {
  SpanSnapshot snap;
  std::shared_lock lock(mu_);
  for (const auto* list : {&frozen_, &active_}) {
    for (const auto& m : *list) {
      if (m.batch->tenant == tenant) snap.memtable.push_back(m.batch);
    }
  }
  if (auto it = parts_.find(tenant); it != parts_.end()) snap.parts = it->second;
  std::sort(snap.parts.begin(), snap.parts.end(), [](const auto& a, const auto& b) {
    return a->meta().max_start_ns > b->meta().max_start_ns;
  });
  return snap;
}

Status SpanTable::Scan(const SpanQuery& query, const SpanScanOptions& options,
                       const SpanVisitor& visit) const {
  SpanSnapshot snap = Snapshot(query.tenant);
  for (const auto& batch : snap.memtable) {
    for (size_t row = 0; row < batch->size(); ++row) {
      if (query.Matches(*batch, row) && !visit(*batch, row)) return Status::Ok();
    }
  }
  bool stopped = false;
  for (const auto& part : snap.parts) {
    if (!query.MayMatchTime(part->meta().min_start_ns, part->meta().max_start_ns)) continue;
    if (query.trace_id && !part->MayContainTrace(*query.trace_id)) continue;
    RETURN_IF_ERROR(part->Scan(query, options, [&](const SpanBatch& b, size_t row) {
      if (!visit(b, row)) {
        stopped = true;
        return false;
      }
      return true;
    }));
    if (stopped) break;
  }
  return Status::Ok();
}

std::vector<OperationKey> SpanTable::Operations(const std::string& tenant) const {
  std::set<OperationKey> ops;
  SpanSnapshot snap = Snapshot(tenant);
  for (const auto& batch : snap.memtable) {
    for (size_t row = 0; row < batch->size(); ++row) {
      ops.insert(OperationKey{batch->tags(row).service, batch->name[row], batch->kind[row]});
    }
  }
  for (const auto& part : snap.parts)
    ops.insert(part->operations().begin(), part->operations().end());
  return {ops.begin(), ops.end()};
}

size_t SpanTable::memtable_bytes() const {
  std::shared_lock lock(mu_);
  return active_bytes_ + frozen_bytes_;
}

size_t SpanTable::memtable_rows() const {
  std::shared_lock lock(mu_);
  return memtable_rows_;
}

size_t SpanTable::part_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [tenant, parts] : parts_) n += parts.size();
  return n;
}

uint64_t SpanTable::part_bytes() const {
  std::shared_lock lock(mu_);
  uint64_t n = 0;
  for (const auto& [tenant, parts] : parts_) {
    for (const auto& p : parts) n += p->file_bytes();
  }
  return n;
}

}  // namespace periscope
