// Log flush cost without the server: the Loghub replay of `periscope load-logs` (LogWorkload,
// seed 1, 1,000 lines per request, 20% with trace ids) decoded into LogBatches as the receiver
// does, then written as one part (WriteLogPart over the batches, as LogTable::WriteFrozen does).
// Figures are lines/s (items_per_second) and the part's bytes per line. Loghub samples are read
// from ../shared/data/loghub beside the repository (run from its root, or set
// PERISCOPE_LOGHUB_DIR).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "ingest/otlp/log_decoder.h"
#include "loadgen/log_corpus.h"
#include "loadgen/log_workload.h"
#include "storage/logs/log_part.h"

namespace periscope {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000'000;
constexpr uint64_t kLines = 200'000;

std::string LoghubDir() {
  if (const char* d = std::getenv("PERISCOPE_LOGHUB_DIR")) return d;
  const auto beside_source =
      std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "shared" / "data" / "loghub";
  if (std::filesystem::is_directory(beside_source)) return beside_source.string();
  return "../shared/data/loghub";  // from the repository's root
}

// The request bodies of kLines replayed lines.
const std::vector<std::string>& Requests() {
  static const auto* requests = [] {
    auto* out = new std::vector<std::string>();
    auto corpus = loadgen::LogCorpus::Load(LoghubDir());
    if (!corpus.ok()) return out;
    loadgen::LogWorkloadOptions options;
    options.total_lines = kLines;
    options.time_base_ns = kNow;
    loadgen::LogWorkload workload(*corpus, options);
    std::string body;
    while (workload.NextRequest(&body, nullptr) > 0) out->push_back(body);
    return out;
  }();
  return *requests;
}

// The decoded batches (what the memtable holds when it is frozen).
const std::vector<std::shared_ptr<const LogBatch>>& Batches() {
  static const auto* batches = [] {
    auto* out = new std::vector<std::shared_ptr<const LogBatch>>();
    for (const auto& body : Requests()) {
      auto r = DecodeLogsProtobuf(body, "default", kNow);
      if (r.ok()) out->push_back(std::make_shared<LogBatch>(std::move(r->batch)));
    }
    return out;
  }();
  return *batches;
}

std::string PartPath() {
  return (std::filesystem::temp_directory_path() /
          ("log_part_write_bench." + std::to_string(::getpid()) + ".lgp"))
      .string();
}

void WritePart(benchmark::State& state, int zstd_level) {
  const auto& batches = Batches();
  if (batches.empty()) {
    state.SkipWithError("no Loghub data");
    return;
  }
  std::vector<const LogBatch*> sources;
  size_t lines = 0;
  for (const auto& b : batches) {
    sources.push_back(b.get());
    lines += b->size();
  }
  const std::string path = PartPath();
  LogPartWriteOptions options;
  options.zstd_level = zstd_level;
  for (auto _ : state) {
    LogPartMeta meta;
    meta.part_id = 1;
    Status st = WriteLogPart(path, sources, meta, options);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
  state.counters["bytes_per_line"] =
      static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(lines);
  // LOG_PART_WRITE_BENCH_KEEP=FILE keeps the part (to compare the bytes of two writers).
  if (const char* keep = std::getenv("LOG_PART_WRITE_BENCH_KEEP")) {
    std::filesystem::rename(path, keep);
  } else {
    std::filesystem::remove(path);
  }
}

// The flush: LogTable::WriteFrozen's options.
void BM_WriteLogPartFlush(benchmark::State& state) {
  WritePart(state, LogPartWriteOptions{}.zstd_level);
}
BENCHMARK(BM_WriteLogPartFlush)->Unit(benchmark::kMillisecond);

// Other zstd levels (9 is LogTable::MergeOnce's).
void BM_WriteLogPartZstdLevel(benchmark::State& state) {
  WritePart(state, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_WriteLogPartZstdLevel)->Arg(1)->Arg(2)->Arg(9)->Unit(benchmark::kMillisecond);

// Receiving without I/O: the wire decoder into a LogBatch, per 1,000-line request.
void BM_DecodeReplayedRequests(benchmark::State& state) {
  const auto& requests = Requests();
  if (requests.empty()) {
    state.SkipWithError("no Loghub data");
    return;
  }
  size_t lines = 0;
  for (auto _ : state) {
    for (const auto& body : requests) {
      auto r = DecodeLogsProtobuf(body, "default", kNow);
      if (!r.ok()) state.SkipWithError("decode failed");
      lines += r->batch.size();
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
}
BENCHMARK(BM_DecodeReplayedRequests)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace periscope

BENCHMARK_MAIN();
