// OTLP log decoding throughput on 1,000-line requests of Loghub lines (shaped like the
// `periscope load-logs` workload): the wire decoder (DecodeLogsProtobuf, DecodeLogsProtobufBody)
// vs the generated-class path (DecodeLogsProtobufWithMessages). Figures are lines/s
// (items_per_second). Loghub samples are read from ../shared/data/loghub beside the repository.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "ingest/otlp/log_decoder.h"

namespace periscope {
namespace {

namespace pb = opentelemetry::proto::collector::logs::v1;
namespace pb_logs = opentelemetry::proto::logs::v1;

constexpr int kLines = 1000;
constexpr int64_t kNow = 1'700'000'000'000'000'000;

std::vector<std::string> LoadLines() {
  std::vector<std::string> lines;
  const auto dir =
      std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "shared" / "data" / "loghub";
  if (!std::filesystem::is_directory(dir)) return lines;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line) && lines.size() < 20'000) {
      for (char& c : line) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
      }
      if (!line.empty()) lines.push_back(line);
    }
  }
  return lines;
}

// One request of kLines lines from the middle of the corpus (or synthetic lines without it).
const std::string& Body() {
  static const std::string* body = [] {
    std::vector<std::string> lines = LoadLines();
    pb::ExportLogsServiceRequest req;
    auto* rl = req.add_resource_logs();
    auto* attr = rl->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value("hdfs");
    auto* host = rl->mutable_resource()->add_attributes();
    host->set_key("host.name");
    host->mutable_value()->set_string_value("host-1");
    auto* sl = rl->add_scope_logs();
    sl->mutable_scope()->set_name("loghub-replay");
    for (int i = 0; i < kLines; ++i) {
      auto* rec = sl->add_log_records();
      rec->set_time_unix_nano(static_cast<uint64_t>(kNow) + 100'000ull * i);
      rec->set_severity_number(pb_logs::SEVERITY_NUMBER_INFO);
      rec->set_severity_text("INFO");
      const size_t at = lines.size() / 2 + static_cast<size_t>(i);
      rec->mutable_body()->set_string_value(
          at < lines.size() ? lines[at]
                            : "081109 203615 148 INFO dfs.DataNode$PacketResponder: block " +
                                  std::to_string(i) + " terminating");
      if (i % 5 == 0) {
        rec->set_trace_id(std::string(16, static_cast<char>(i + 1)));
        rec->set_span_id(std::string(8, static_cast<char>(i + 2)));
      }
    }
    return new std::string(req.SerializeAsString());
  }();
  return *body;
}

void Report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * kLines);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Body().size()));
  state.counters["bytes_per_line"] = static_cast<double>(Body().size()) / kLines;
}

void BM_DecodeLogsWithMessages(benchmark::State& state) {
  for (auto _ : state) {
    auto r = DecodeLogsProtobufWithMessages(Body(), "default", kNow);
    if (!r.ok() || r->batch.size() != kLines) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state);
}
BENCHMARK(BM_DecodeLogsWithMessages);

void BM_DecodeLogsProtobuf(benchmark::State& state) {
  for (auto _ : state) {
    auto r = DecodeLogsProtobuf(Body(), "default", kNow);
    if (!r.ok() || r->batch.size() != kLines) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state);
}
BENCHMARK(BM_DecodeLogsProtobuf);

// The receiver's path: the body is handed over, so no copy for the WAL payload (the copy made
// here stands for the request buffer the HTTP server fills).
void BM_DecodeLogsProtobufBody(benchmark::State& state) {
  for (auto _ : state) {
    std::string body = Body();
    auto r = DecodeLogsProtobufBody(std::move(body), "default", kNow);
    if (!r.ok() || r->batch.size() != kLines) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state);
}
BENCHMARK(BM_DecodeLogsProtobufBody);

}  // namespace
}  // namespace periscope

BENCHMARK_MAIN();
