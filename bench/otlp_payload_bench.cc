// OTLP trace decoding throughput on captured request bodies: the exact bytes `periscope load`
// sends (bench/run.sh captures them with bench/otlp_capture.py). libprotobuf ParseFromString is
// the ceiling that `make bench` puts beside Periscope's end-to-end ingest rate; our decoder on the
// same bytes shows how much of that ceiling decoding alone costs. Figures are spans/s.
//
//   PERISCOPE_BENCH_PAYLOADS=<dir of *.pb files> otlp_payload_bench [--benchmark_format=json]
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/otlp/trace_decoder.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope {
namespace {

using ExportRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

// Captured request bodies and their span counts; immutable after the first call.
struct Payloads {
  std::vector<std::string> bodies;
  std::vector<int64_t> spans;
  int64_t total_spans = 0;
  size_t total_bytes = 0;
  std::string error;
};

int64_t CountSpans(const ExportRequest& req) {
  int64_t n = 0;
  for (const auto& rs : req.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

const Payloads& LoadPayloads() {
  static const Payloads* payloads = [] {
    auto* p = new Payloads;
    const char* dir = std::getenv("PERISCOPE_BENCH_PAYLOADS");
    if (dir == nullptr || *dir == '\0') {
      p->error = "set PERISCOPE_BENCH_PAYLOADS to a directory of captured *.pb request bodies";
      return p;
    }
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".pb") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      ExportRequest req;
      if (!in || !req.ParseFromString(ss.str())) {
        p->error = "not an ExportTraceServiceRequest: " + f.string();
        return p;
      }
      p->bodies.push_back(ss.str());
      p->spans.push_back(CountSpans(req));
      p->total_spans += p->spans.back();
      p->total_bytes += p->bodies.back().size();
    }
    if (p->bodies.empty()) p->error = std::string("no *.pb files in ") + dir;
    return p;
  }();
  return *payloads;
}

// Runs `decode` over the payloads round-robin; `decode` returns the spans it produced (-1: error).
template <typename Fn>
void RunOverPayloads(benchmark::State& state, Fn decode) {
  const Payloads& p = LoadPayloads();
  if (!p.error.empty()) {
    state.SkipWithError(p.error.c_str());
    return;
  }
  size_t next = 0;
  int64_t spans = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const int64_t got = decode(p.bodies[next]);
    if (got != p.spans[next]) {
      state.SkipWithError("decode failed or lost spans");
      return;
    }
    spans += got;
    bytes += static_cast<int64_t>(p.bodies[next].size());
    next = next + 1 == p.bodies.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(spans);
  state.SetBytesProcessed(bytes);
  state.counters["bytes_per_span"] =
      static_cast<double>(p.total_bytes) / static_cast<double>(p.total_spans);
  state.counters["payloads"] = static_cast<double>(p.bodies.size());
}

void BM_PayloadParseFromString(benchmark::State& state) {
  RunOverPayloads(state, [](const std::string& body) -> int64_t {
    ExportRequest req;
    if (!req.ParseFromString(body)) return -1;
    return CountSpans(req);
  });
}
BENCHMARK(BM_PayloadParseFromString);

void BM_PayloadParseFromStringArena(benchmark::State& state) {
  RunOverPayloads(state, [](const std::string& body) -> int64_t {
    google::protobuf::ArenaOptions options;
    options.start_block_size = body.size() * 2;
    google::protobuf::Arena arena(options);
    auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
    if (!req->ParseFromString(body)) return -1;
    return CountSpans(*req);
  });
}
BENCHMARK(BM_PayloadParseFromStringArena);

void BM_PayloadDecodeTracesProtobuf(benchmark::State& state) {
  RunOverPayloads(state, [](const std::string& body) -> int64_t {
    auto r = DecodeTracesProtobuf(body, "default");
    if (!r.ok() || r->rejected_spans != 0) return -1;
    return static_cast<int64_t>(r->batch.size());
  });
}
BENCHMARK(BM_PayloadDecodeTracesProtobuf);

}  // namespace
}  // namespace periscope

BENCHMARK_MAIN();
