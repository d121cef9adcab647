#include "storage/metrics/metric_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/log.h"
#include "model/metric_labels.h"
#include "storage/metrics/series_block.h"

namespace periscope {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPartSuffix = ".msp";

// Tenant names become directory names: keep [A-Za-z0-9_-], hex-escape everything else.
std::string TenantDirName(const std::string& tenant) {
  std::string out;
  for (unsigned char c : tenant) {
    if (std::isalnum(c) || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02x}", c);
    }
  }
  return out.empty() ? "%" : out;
}

// Appends src's samples to dst, keeping start_ms either empty or one per sample.
void AppendSamples(const MetricSeries& src, MetricSeries& dst) {
  const bool src_start = !src.start_ms.empty();
  if (src_start && dst.start_ms.size() != dst.time_ms.size()) {
    dst.start_ms.resize(dst.time_ms.size(), 0);
  }
  dst.time_ms.insert(dst.time_ms.end(), src.time_ms.begin(), src.time_ms.end());
  dst.values.insert(dst.values.end(), src.values.begin(), src.values.end());
  if (src_start) {
    dst.start_ms.insert(dst.start_ms.end(), src.start_ms.begin(), src.start_ms.end());
  } else if (!dst.start_ms.empty()) {
    dst.start_ms.resize(dst.time_ms.size(), 0);
  }
  dst.exemplars.insert(dst.exemplars.end(), src.exemplars.begin(), src.exemplars.end());
}

void AppendRange(const MetricSeries& src, int64_t min_ms, int64_t max_ms, MetricSeries& dst) {
  const bool src_start = src.start_ms.size() == src.time_ms.size() && !src.start_ms.empty();
  for (size_t i = 0; i < src.time_ms.size(); ++i) {
    const int64_t t = src.time_ms[i];
    if (t < min_ms || t > max_ms) continue;
    if (src_start && dst.start_ms.size() != dst.time_ms.size()) {
      dst.start_ms.resize(dst.time_ms.size(), 0);
    }
    dst.time_ms.push_back(t);
    dst.values.push_back(src.values[i]);
    if (src_start) {
      dst.start_ms.push_back(src.start_ms[i]);
    } else if (!dst.start_ms.empty()) {
      dst.start_ms.push_back(0);
    }
  }
  for (const auto& e : src.exemplars) {
    if (e.time_ms >= min_ms && e.time_ms <= max_ms) dst.exemplars.push_back(e);
  }
}

// Drops the samples and exemplars of s outside [min_ms, max_ms], in place.
void KeepRange(int64_t min_ms, int64_t max_ms, MetricSeries& s) {
  const bool has_start = s.start_ms.size() == s.time_ms.size();
  size_t out = 0;
  for (size_t i = 0; i < s.time_ms.size(); ++i) {
    const int64_t t = s.time_ms[i];
    if (t < min_ms || t > max_ms) continue;
    s.time_ms[out] = t;
    s.values[out] = s.values[i];
    if (has_start) s.start_ms[out] = s.start_ms[i];
    ++out;
  }
  s.time_ms.resize(out);
  s.values.resize(out);
  if (has_start) s.start_ms.resize(out);
  std::erase_if(s.exemplars,
                [&](const MetricExemplar& e) { return e.time_ms < min_ms || e.time_ms > max_ms; });
}

}  // namespace

Result<std::unique_ptr<MetricTable>> MetricTable::Open(const MetricTableOptions& options) {
  std::unique_ptr<MetricTable> t(new MetricTable(options));
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IOError("create {}: {}", options.dir, ec.message());
  RETURN_IF_ERROR(t->LoadParts());
  return t;
}

Status MetricTable::LoadParts() {
  std::error_code ec;
  std::vector<fs::path> paths;
  for (const auto& tenant_dir : fs::directory_iterator(options_.dir, ec)) {
    if (!tenant_dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(tenant_dir.path(), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".tmp")) {
        fs::remove(entry.path(), ec);
      } else if (name.ends_with(kPartSuffix)) {
        paths.push_back(entry.path());
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    const std::string stem = path.stem().string();  // part-<id>
    uint64_t id = 0;
    if (stem.size() > 5) id = std::strtoull(stem.c_str() + 5, nullptr, 10);
    next_part_id_ = std::max(next_part_id_, id + 1);
    auto part = MetricPart::Open(path.string());
    if (!part.ok()) {
      LogWarn("metric part {} does not open ({}); renamed to .corrupt", path.string(),
              part.status().ToString());
      fs::rename(path, path.string() + ".corrupt", ec);
      continue;
    }
    AddPartLocked(std::move(part).value());
  }
  return Status::Ok();
}

MetricTable::Tenant& MetricTable::TenantLocked(const std::string& name) {
  return tenants_.try_emplace(name, &pool_).first->second;
}

void MetricTable::AddPartLocked(std::shared_ptr<MetricPart> part) {
  Tenant& tenant = TenantLocked(part->meta().tenant);
  for (const auto& e : part->series()) tenant.index.Add(e.series_id, e.labels, e.kind);
  flushed_wal_seq_ = std::max(flushed_wal_seq_, part->meta().covered_wal_seq);
  tenant.parts.push_back(std::move(part));
}

std::string MetricTable::PartPath(const std::string& tenant, uint64_t id) const {
  return fmt::format("{}/{}/part-{:020}{}", options_.dir, TenantDirName(tenant), id, kPartSuffix);
}

const MetricTable::Tenant* MetricTable::FindTenant(const std::string& tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : &it->second;
}

uint64_t MetricTable::flushed_wal_seq() const {
  std::shared_lock lock(mu_);
  return flushed_wal_seq_;
}

MetricKind MetricTable::Tenant::KindOf(const MetricSeries& s) const {
  if (s.kind != MetricKind::kUnknown || name_kinds.empty()) return s.kind;
  auto it = name_kinds.find(LabelValue(s.labels, "__name__"));
  return it == name_kinds.end() ? s.kind : it->second;
}

void MetricTable::SetNameKinds(const std::string& tenant_name,
                               const std::vector<std::pair<std::string, MetricKind>>& kinds) {
  std::unique_lock lock(mu_);
  Tenant& tenant = TenantLocked(tenant_name);
  for (const auto& [name, kind] : kinds) {
    tenant.name_kinds[name] = kind;
    tenant.index.SetKindOfName(name, kind);
  }
}

void MetricTable::Insert(uint64_t seq, const MetricBatch& batch) {
  std::unique_lock lock(mu_);
  Tenant& tenant = TenantLocked(batch.tenant);
  for (const auto& s : batch.series) {
    const uint32_t ord = tenant.index.Add(s.labels, tenant.KindOf(s));
    tenant.active.Append(ord, s);
  }
  active_max_seq_ = std::max(active_max_seq_, seq);
}

void MetricTable::Insert(uint64_t seq, const MetricBatch& batch, std::span<const uint32_t> ordinals,
                         std::span<const std::string_view> keys) {
  if (ordinals.size() != batch.series.size()) return Insert(seq, batch);
  const bool keyed = keys.size() == batch.series.size();
  std::unique_lock lock(mu_);
  Tenant& tenant = TenantLocked(batch.tenant);
  for (size_t i = 0; i < batch.series.size(); ++i) {
    const MetricSeries& s = batch.series[i];
    uint32_t ord = ordinals[i];
    if (ord != SeriesKeyCache::kNone && ord >= tenant.index.size()) continue;  // not ours
    if (ord == SeriesKeyCache::kNone) {
      ord = tenant.index.Add(s.labels, tenant.KindOf(s));
      if (keyed) tenant.keys->Insert(keys[i], ord);
    }
    tenant.active.Append(ord, s);
  }
  active_max_seq_ = std::max(active_max_seq_, seq);
}

std::shared_ptr<SeriesKeyCache> MetricTable::KeyCache(const std::string& tenant_name) const {
  std::shared_lock lock(mu_);
  const Tenant* tenant = FindTenant(tenant_name);
  return tenant ? tenant->keys : nullptr;
}

uint64_t MetricTable::Freeze() {
  std::unique_lock lock(mu_);
  for (auto& [name, tenant] : tenants_) {
    if (tenant.frozen.empty()) {
      tenant.frozen.Swap(tenant.active);
    } else {
      tenant.frozen.AppendAll(tenant.active);
    }
    tenant.active.Clear();
  }
  frozen_max_seq_ = std::max(frozen_max_seq_, active_max_seq_);
  return frozen_max_seq_;
}

Status MetricTable::WriteFrozen(uint64_t covered_seq) {
  std::lock_guard write_lock(write_mu_);
  struct Pending {
    std::string tenant;
    std::vector<std::pair<uint64_t, MetricSeries>> series;  // series id, samples
    uint64_t id;
  };
  std::vector<Pending> pending;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, tenant] : tenants_) {
      if (tenant.frozen.empty()) continue;
      Pending p{name, {}, 0};
      p.series.reserve(tenant.frozen.ordinals().size());
      for (uint32_t ord : tenant.frozen.ordinals()) {
        MetricSeries copy;
        tenant.frozen.AppendAllTo(ord, copy);
        const SeriesInfo& info = tenant.index.info(ord);
        copy.labels = info.labels;
        copy.kind = info.kind;
        SortAndDedupSamples(copy);
        p.series.emplace_back(info.id, std::move(copy));
      }
      std::sort(p.series.begin(), p.series.end(),
                [](const auto& a, const auto& b) { return a.second.labels < b.second.labels; });
      pending.push_back(std::move(p));
    }
  }
  {
    std::unique_lock lock(mu_);
    for (auto& p : pending) p.id = next_part_id_++;
  }
  std::vector<std::shared_ptr<MetricPart>> written;
  for (const auto& p : pending) {
    std::vector<PartSeriesRef> refs;
    refs.reserve(p.series.size());
    for (const auto& [id, s] : p.series) refs.push_back({id, &s});
    MetricPartMeta meta;
    meta.tenant = p.tenant;
    meta.covered_wal_seq = covered_seq;
    const std::string path = PartPath(p.tenant, p.id);
    RETURN_IF_ERROR(WriteMetricPart(path, meta, refs));
    ASSIGN_OR_RETURN(auto part, MetricPart::Open(path));
    written.push_back(std::move(part));
  }
  std::unique_lock lock(mu_);
  for (auto& part : written) AddPartLocked(std::move(part));
  for (auto& [name, tenant] : tenants_) tenant.frozen.Clear();
  flushed_wal_seq_ = std::max(flushed_wal_seq_, covered_seq);
  return Status::Ok();
}

Result<bool> MetricTable::MergeOnce() {
  std::lock_guard write_lock(write_mu_);
  std::vector<std::shared_ptr<MetricPart>> inputs;
  std::string tenant_name;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, tenant] : tenants_) {
      std::vector<std::shared_ptr<MetricPart>> small;
      for (const auto& p : tenant.parts) {
        if (p->file_bytes() < options_.max_merged_part_bytes / options_.merge_fan_in) {
          small.push_back(p);
        }
      }
      if (small.size() < options_.merge_fan_in) continue;
      std::sort(small.begin(), small.end(),
                [](const auto& a, const auto& b) { return a->file_bytes() < b->file_bytes(); });
      small.resize(options_.merge_fan_in);
      inputs = std::move(small);
      tenant_name = name;
      break;
    }
  }
  if (inputs.empty()) return false;
  std::map<uint64_t, MetricSeries> merged;
  uint64_t covered = 0;
  for (const auto& part : inputs) {
    covered = std::max(covered, part->meta().covered_wal_seq);
    std::vector<uint32_t> all(part->series().size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    RETURN_IF_ERROR(part->Read(all, [&](uint32_t e, MetricSeries&& s) {
      const PartSeriesEntry& entry = part->series()[e];
      MetricSeries& dst = merged[entry.series_id];
      if (dst.labels.empty()) {
        dst.labels = entry.labels;
        dst.kind = entry.kind;
      }
      AppendSamples(s, dst);
    }));
  }
  std::vector<PartSeriesRef> refs;
  for (auto& [id, s] : merged) {
    SortAndDedupSamples(s);
    refs.push_back({id, &s});
  }
  std::sort(refs.begin(), refs.end(), [](const PartSeriesRef& a, const PartSeriesRef& b) {
    return a.series->labels < b.series->labels;
  });
  uint64_t id;
  {
    std::unique_lock lock(mu_);
    id = next_part_id_++;
  }
  MetricPartMeta meta;
  meta.tenant = tenant_name;
  meta.covered_wal_seq = covered;
  const std::string path = PartPath(tenant_name, id);
  RETURN_IF_ERROR(WriteMetricPart(path, meta, refs));
  ASSIGN_OR_RETURN(auto part, MetricPart::Open(path));
  {
    std::unique_lock lock(mu_);
    auto& parts = TenantLocked(tenant_name).parts;
    std::erase_if(parts, [&](const auto& p) {
      return std::find(inputs.begin(), inputs.end(), p) != inputs.end();
    });
    AddPartLocked(std::move(part));
  }
  std::error_code ec;
  for (const auto& p : inputs) fs::remove(p->path(), ec);
  return true;
}

Result<size_t> MetricTable::ApplyRetention(int64_t now_ms) {
  const int64_t cutoff = now_ms - options_.retention_ms;
  std::vector<std::shared_ptr<MetricPart>> removed;
  {
    std::unique_lock lock(mu_);
    for (auto& [name, tenant] : tenants_) {
      std::erase_if(tenant.parts, [&](const auto& p) {
        if (p->meta().max_time_ms >= cutoff) return false;
        removed.push_back(p);
        return true;
      });
    }
  }
  std::error_code ec;
  for (const auto& p : removed) {
    if (!fs::remove(p->path(), ec) && ec) {
      return Status::IOError("remove {}: {}", p->path(), ec.message());
    }
  }
  return removed.size();
}

Status MetricTable::Scan(const std::string& tenant_name, const std::vector<LabelMatcher>& matchers,
                         int64_t min_ms, int64_t max_ms, const ScanVisitor& visit) const {
  struct Item {
    uint32_t ordinal;
    uint64_t id;
    const Labels* labels;  // in the index: never moved nor changed, tenants are never removed
    MetricKind kind;
    MetricSeries memtable;  // samples in range, no labels
  };
  std::vector<Item> items;
  std::vector<std::shared_ptr<MetricPart>> parts;
  {
    std::shared_lock lock(mu_);
    const Tenant* tenant = FindTenant(tenant_name);
    if (!tenant) return Status::Ok();
    RoaringBitmap selected = tenant->index.Select(matchers);
    items.resize(selected.cardinality());
    size_t i = 0;
    for (uint32_t ord : selected) {
      const SeriesInfo& info = tenant->index.info(ord);
      items[i] = {ord, info.id, &info.labels, info.kind, {}};
      tenant->frozen.AppendTo(ord, min_ms, max_ms, items[i].memtable);
      tenant->active.AppendTo(ord, min_ms, max_ms, items[i].memtable);
      ++i;
    }
    for (const auto& p : tenant->parts) {
      if (p->meta().max_time_ms >= min_ms && p->meta().min_time_ms <= max_ms) parts.push_back(p);
    }
  }
  // Parts hold their series in label order: visiting in label order reads every chunk once.
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return *a.labels < *b.labels; });
  // Oldest part first, the memtable last: on equal timestamps the newest sample wins.
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a->path() < b->path(); });
  std::vector<PartChunkCursor> cursors(parts.size());
  SelectedSeries current;
  MetricSeries piece;
  for (Item& item : items) {
    MetricSeries& dst = current.series;
    dst.time_ms.clear();
    dst.values.clear();
    dst.start_ms.clear();
    dst.exemplars.clear();
    for (size_t p = 0; p < parts.size(); ++p) {
      const int64_t e = parts[p]->Find(item.id);
      if (e < 0) continue;
      const PartSeriesEntry& entry = parts[p]->series()[static_cast<size_t>(e)];
      if (entry.max_time_ms < min_ms || entry.min_time_ms > max_ms) continue;
      if (dst.time_ms.empty() && dst.exemplars.empty()) {
        // The first piece is decoded in place.
        RETURN_IF_ERROR(parts[p]->ReadEntry(static_cast<uint32_t>(e), cursors[p], &dst));
        if (entry.min_time_ms < min_ms || entry.max_time_ms > max_ms) {
          KeepRange(min_ms, max_ms, dst);
        }
        continue;
      }
      RETURN_IF_ERROR(parts[p]->ReadEntry(static_cast<uint32_t>(e), cursors[p], &piece));
      AppendRange(piece, min_ms, max_ms, dst);
    }
    if (dst.time_ms.empty()) {
      std::swap(dst.time_ms, item.memtable.time_ms);
      std::swap(dst.values, item.memtable.values);
      std::swap(dst.start_ms, item.memtable.start_ms);
      std::swap(dst.exemplars, item.memtable.exemplars);
    } else {
      AppendSamples(item.memtable, dst);
    }
    if (dst.time_ms.empty()) continue;
    SortAndDedupSamples(dst);
    current.id = item.id;
    dst.labels = *item.labels;  // reuses the strings of the last series when not moved from
    dst.kind = item.kind;
    visit(item.ordinal, current);
  }
  return Status::Ok();
}

Result<std::vector<SelectedSeries>> MetricTable::Select(const std::string& tenant_name,
                                                        const std::vector<LabelMatcher>& matchers,
                                                        int64_t min_ms, int64_t max_ms) const {
  std::vector<std::pair<uint32_t, SelectedSeries>> found;
  RETURN_IF_ERROR(Scan(
      tenant_name, matchers, min_ms, max_ms,
      [&](uint32_t ordinal, SelectedSeries& s) { found.emplace_back(ordinal, std::move(s)); }));
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SelectedSeries> out;
  out.reserve(found.size());
  for (auto& [ordinal, s] : found) out.push_back(std::move(s));
  return out;
}

std::vector<SeriesInfo> MetricTable::Series(const std::string& tenant_name,
                                            const std::vector<LabelMatcher>& matchers) const {
  std::shared_lock lock(mu_);
  std::vector<SeriesInfo> out;
  const Tenant* tenant = FindTenant(tenant_name);
  if (!tenant) return out;
  for (uint32_t ord : tenant->index.Select(matchers)) out.push_back(tenant->index.info(ord));
  return out;
}

std::vector<std::string> MetricTable::LabelNames(const std::string& tenant_name,
                                                 const std::vector<LabelMatcher>& matchers) const {
  std::shared_lock lock(mu_);
  const Tenant* tenant = FindTenant(tenant_name);
  if (!tenant) return {};
  if (matchers.empty()) return tenant->index.LabelNames(nullptr);
  RoaringBitmap among = tenant->index.Select(matchers);
  return tenant->index.LabelNames(&among);
}

std::vector<std::string> MetricTable::LabelValues(const std::string& tenant_name,
                                                  const std::string& name,
                                                  const std::vector<LabelMatcher>& matchers) const {
  std::shared_lock lock(mu_);
  const Tenant* tenant = FindTenant(tenant_name);
  if (!tenant) return {};
  if (matchers.empty()) return tenant->index.LabelValues(name, nullptr);
  RoaringBitmap among = tenant->index.Select(matchers);
  return tenant->index.LabelValues(name, &among);
}

size_t MetricTable::memtable_samples() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [name, t] : tenants_) n += t.active.samples() + t.frozen.samples();
  return n;
}

size_t MetricTable::memtable_bytes() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [name, t] : tenants_) n += t.active.bytes() + t.frozen.bytes();
  return n;
}

size_t MetricTable::series_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [name, t] : tenants_) n += t.index.size();
  return n;
}

size_t MetricTable::part_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [name, t] : tenants_) n += t.parts.size();
  return n;
}

uint64_t MetricTable::part_bytes() const {
  std::shared_lock lock(mu_);
  uint64_t n = 0;
  for (const auto& [name, t] : tenants_) {
    for (const auto& p : t.parts) n += p->file_bytes();
  }
  return n;
}

uint64_t MetricTable::part_samples() const {
  std::shared_lock lock(mu_);
  uint64_t n = 0;
  for (const auto& [name, t] : tenants_) {
    for (const auto& p : t.parts) n += p->meta().samples;
  }
  return n;
}

}  // namespace periscope
