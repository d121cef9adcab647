// OTLP trace decoding throughput: raw libprotobuf parsing vs DecodeTracesProtobuf vs
// DecodeTracesJson (and the JsonStringToMessage alternative), on 1,000-span requests shaped like
// the "Traces" workload of BENCHMARKS.md. Figures are spans/s (items_per_second).
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>
#include <zlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <numeric>

#include "ingest/body_decoding.h"
#include "ingest/otlp/otlp_json.h"
#include "ingest/otlp/trace_decoder.h"
#include "ingest/otlp/trace_encoder.h"
#include "model/span_batch_testing.h"

namespace periscope {
namespace {

using ExportRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
constexpr int kSpans = 1000;

// 250 traces of 4 spans, grouped by resource as an SDK batch would be.
const ExportRequest& Request() {
  static const ExportRequest* req = [] {
    SpanBatch b = testing::MakeTestSpans(kSpans / 4, 4);
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.kind[i] == SpanKind::kClient && b.name[i] != "SELECT items") {
        b.attributes[i].push_back({"peer.service", AnyValue::String("inventory")});
      }
    }
    std::vector<uint32_t> order(b.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return b.resource_index[x] < b.resource_index[y];
    });
    b.Permute(order);
    auto* r = new ExportRequest;
    EncodeSpanBatch(b, r);
    return r;
  }();
  return *req;
}

const std::string& ProtobufBody() {
  static const std::string body = Request().SerializeAsString();
  return body;
}

const std::string& JsonBody() {
  static const std::string body = *EncodeTracesJson(Request());
  return body;
}

void Report(benchmark::State& state, size_t bytes) {
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bytes_per_span"] = static_cast<double>(bytes) / kSpans;
}

void BM_LibprotobufParse(benchmark::State& state) {
  const std::string& body = ProtobufBody();
  for (auto _ : state) {
    ExportRequest req;
    benchmark::DoNotOptimize(req.ParseFromString(body));
  }
  Report(state, body.size());
}
BENCHMARK(BM_LibprotobufParse);

void BM_LibprotobufParseArena(benchmark::State& state) {
  const std::string& body = ProtobufBody();
  for (auto _ : state) {
    google::protobuf::ArenaOptions options;
    options.start_block_size = body.size() * 2;
    google::protobuf::Arena arena(options);
    auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
    benchmark::DoNotOptimize(req->ParseFromString(body));
  }
  Report(state, body.size());
}
BENCHMARK(BM_LibprotobufParseArena);

void BM_DecodeTracesProtobuf(benchmark::State& state) {
  const std::string& body = ProtobufBody();
  for (auto _ : state) {
    auto r = DecodeTracesProtobuf(body, "default");
    if (!r.ok() || r->batch.size() != kSpans) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state, body.size());
}
BENCHMARK(BM_DecodeTracesProtobuf);

// 1% of spans rejected: the accepted subset is re-serialized for the WAL.
void BM_DecodeTracesProtobufWithRejects(benchmark::State& state) {
  ExportRequest req = Request();
  int n = 0;
  for (auto& rs : *req.mutable_resource_spans()) {
    for (auto& ss : *rs.mutable_scope_spans()) {
      for (auto& span : *ss.mutable_spans()) {
        if (n++ % 100 == 0) span.clear_span_id();
      }
    }
  }
  const std::string body = req.SerializeAsString();
  for (auto _ : state) {
    auto r = DecodeTracesProtobuf(body, "default");
    if (!r.ok() || r->rejected_spans != 10) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state, body.size());
}
BENCHMARK(BM_DecodeTracesProtobufWithRejects);

void BM_DecodeTracesJson(benchmark::State& state) {
  const std::string& body = JsonBody();
  for (auto _ : state) {
    auto r = DecodeTracesJson(body, "default");
    if (!r.ok() || r->batch.size() != kSpans) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state, body.size());
}
BENCHMARK(BM_DecodeTracesJson);

// The alternative: rewrite hex ids to base64 with Boost.JSON, then JsonStringToMessage, then
// the same conversion as the gRPC path.
void HexIdsToBase64(boost::json::value& v) {
  if (auto* arr = v.if_array()) {
    for (auto& e : *arr) HexIdsToBase64(e);
    return;
  }
  auto* obj = v.if_object();
  if (obj == nullptr) return;
  for (auto& m : *obj) {
    auto* s = m.value().if_string();
    const std::string_view key(m.key().data(), m.key().size());
    if (s != nullptr && (key == "traceId" || key == "spanId" || key == "parentSpanId")) {
      std::string raw;
      for (size_t i = 0; i + 1 < s->size(); i += 2) {
        raw.push_back(static_cast<char>(std::stoi(std::string(s->data() + i, 2), nullptr, 16)));
      }
      *s = Base64Encode(raw);
    } else {
      HexIdsToBase64(m.value());
    }
  }
}

void BM_JsonRewriteThenJsonStringToMessage(benchmark::State& state) {
  const std::string& body = JsonBody();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (auto _ : state) {
    boost::json::value v = boost::json::parse(body);
    HexIdsToBase64(v);
    const std::string rewritten = boost::json::serialize(v);
    ExportRequest req;
    if (!google::protobuf::util::JsonStringToMessage(rewritten, &req, options).ok()) {
      state.SkipWithError("JsonStringToMessage failed");
    }
    DecodedTraces out = DecodeTracesMessage(req, "default");
    if (out.batch.size() != kSpans) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out);
  }
  Report(state, body.size());
}
BENCHMARK(BM_JsonRewriteThenJsonStringToMessage);

void BM_GunzipProtobufBody(benchmark::State& state) {
  const std::string& body = ProtobufBody();
  uLongf size = compressBound(body.size());
  std::string gz(size, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  for (auto _ : state) {
    auto r = DecodeContentEncoding("gzip", gz, 64 << 20);
    if (!r.ok()) state.SkipWithError("gunzip failed");
    benchmark::DoNotOptimize(r);
  }
  Report(state, gz.size());
}
BENCHMARK(BM_GunzipProtobufBody);

}  // namespace
}  // namespace periscope

BENCHMARK_MAIN();
