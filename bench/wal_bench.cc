// WAL append throughput with group commit: concurrent appenders, fsync on (and off for contrast).
// The log lives in $PERISCOPE_BENCH_DIR (default: the system temp dir); use a real disk.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/wal/wal.h"

namespace periscope {
namespace {

std::unique_ptr<Wal> g_wal;
std::string g_dir;

std::string MakeTempDir() {
  const char* base = std::getenv("PERISCOPE_BENCH_DIR");
  std::filesystem::path root = base ? base : std::filesystem::temp_directory_path().string();
  std::string tmpl = (root / "wal_bench.XXXXXX").string();
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

// Args: payload bytes, fsync (0/1).
void BM_WalAppend(benchmark::State& state) {
  const auto size = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) {
    g_dir = MakeTempDir();
    WalOptions options;
    options.dir = g_dir;
    options.fsync = state.range(1) != 0;
    auto wal = Wal::Open(options);
    if (g_dir.empty() || !wal.ok()) {
      state.SkipWithError(wal.ok() ? "mkdtemp failed" : wal.status().ToString().c_str());
    } else {
      g_wal = std::move(wal).value();
    }
  }
  std::string payload(size, 'p');
  for (auto _ : state) {
    if (!g_wal) break;
    auto seq = g_wal->Append(WalRecordType::kOtlpTraces, payload);
    if (!seq.ok()) {
      state.SkipWithError(seq.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  if (state.thread_index() == 0 && g_wal) {
    uint64_t fsyncs = g_wal->fsyncs();
    state.counters["records_per_fsync"] =
        fsyncs == 0 ? 0.0 : static_cast<double>(g_wal->last_seq()) / static_cast<double>(fsyncs);
    g_wal.reset();
    std::filesystem::remove_all(g_dir);
  }
}

BENCHMARK(BM_WalAppend)
    ->ArgNames({"bytes", "fsync"})
    ->Args({1024, 1})
    ->Args({64 << 10, 1})
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

BENCHMARK(BM_WalAppend)
    ->ArgNames({"bytes", "fsync"})
    ->Args({1024, 0})
    ->Args({64 << 10, 0})
    ->Threads(4)
    ->UseRealTime();

}  // namespace
}  // namespace periscope

BENCHMARK_MAIN();
