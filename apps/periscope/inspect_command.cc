#include <cstdio>
#include <filesystem>

#include "apps/periscope/commands.h"
#include "base/time.h"
#include "storage/part/span_part.h"
#include "storage/wal/wal.h"

namespace periscope::app {

namespace {

int InspectPart(const std::string& path, bool rows) {
  auto part = SpanPart::Open(path);
  if (!part.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), part.status().ToString().c_str());
    return 1;
  }
  const SpanPartMeta& m = (*part)->meta();
  std::printf(
      "%s: part %lu tenant=%s level=%u rows=%lu bytes=%lu (%.1f B/span) start=[%s, %s] "
      "max_wal_seq=%lu operations=%zu\n",
      path.c_str(), m.part_id, m.tenant.c_str(), m.level, m.rows, (*part)->file_bytes(),
      m.rows ? static_cast<double>((*part)->file_bytes()) / static_cast<double>(m.rows) : 0.0,
      FormatRfc3339(m.min_start_ns).c_str(), FormatRfc3339(m.max_start_ns).c_str(), m.max_wal_seq,
      (*part)->operations().size());
  SpanQuery all;
  all.tenant = m.tenant;
  uint64_t seen = 0;
  Status s = (*part)->Scan(all, [&](const SpanBatch& b, size_t i) {
    ++seen;
    if (rows) {
      std::printf("  %s %s %s %s %ldns\n", b.trace_id[i].Hex().c_str(), b.span_id[i].Hex().c_str(),
                  b.tags(i).service.c_str(), b.name[i].c_str(), b.duration_ns(i));
    }
    return true;
  });
  if (!s.ok() || seen != m.rows) {
    std::fprintf(stderr, "%s: verification failed: %s (%lu of %lu rows read)\n", path.c_str(),
                 s.ToString().c_str(), seen, m.rows);
    return 1;
  }
  return 0;
}

}  // namespace

void AddInspectFlags(CLI::App* cmd, InspectFlags* f) {
  cmd->add_option("path", f->path, "A part file or a data directory")->required();
  cmd->add_flag("--rows", f->rows, "Print every span");
}

int RunInspect(InspectFlags& flags) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(flags.path)) return InspectPart(flags.path, flags.rows);
  int rc = 0;
  uint64_t parts = 0;
  for (const auto& e : fs::recursive_directory_iterator(flags.path)) {
    if (e.path().extension() == ".spp") {
      ++parts;
      rc |= InspectPart(e.path().string(), flags.rows);
    }
  }
  std::printf("%lu parts verified%s\n", parts, rc ? " with errors" : "");
  return rc;
}

}  // namespace periscope::app
