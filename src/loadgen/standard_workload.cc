#include "loadgen/standard_workload.h"

#include <google/protobuf/arena.h>

#include <array>
#include <string_view>

#include "loadgen/split_mix.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::loadgen {
namespace {

namespace otlp_trace = ::opentelemetry::proto::trace::v1;
namespace otlp_common = ::opentelemetry::proto::common::v1;
using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr std::array<std::string_view, 5> kServices = {"api-gateway", "catalog", "orders",
                                                       "accounts", "search"};
constexpr std::array<std::string_view, 5> kVersions = {"2.4.1", "1.9.0", "3.0.2", "1.1.7", "0.8.3"};
constexpr std::array<std::string_view, 2> kPeers = {"inventory", "pricing"};
constexpr std::array<std::string_view, 2> kRpcNames = {"inventory.Stock/Get", "pricing.Quote/Get"};

void AddString(google::protobuf::RepeatedPtrField<otlp_common::KeyValue>* attrs,
               std::string_view key, std::string_view value) {
  auto* kv = attrs->Add();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::string(value));
}

void AddInt(google::protobuf::RepeatedPtrField<otlp_common::KeyValue>* attrs, std::string_view key,
            int64_t value) {
  auto* kv = attrs->Add();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_int_value(value);
}

void FillId(SplitMix& rng, std::string* out, size_t size) {
  out->resize(size);
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng.Next() | 1;  // never all-zero
    for (size_t j = 0; j < 8 && i + j < size; ++j) (*out)[i + j] = static_cast<char>(v >> (8 * j));
  }
}

// Small integer attributes of ~10 wire bytes each.
void AddExtraAttributes(otlp_trace::Span* span, SplitMix& rng, int extra) {
  static constexpr std::array<std::string_view, 8> kKeys = {"a0", "a1", "a2", "a3",
                                                            "a4", "a5", "a6", "a7"};
  for (int i = 0; i < extra; ++i) {
    std::string key =
        i < static_cast<int>(kKeys.size()) ? std::string(kKeys[i]) : "a" + std::to_string(i);
    AddInt(span->mutable_attributes(), key, static_cast<int64_t>(rng.Below(100)));
  }
}

}  // namespace

std::string BuildStandardTraceRequest(uint64_t seed, int spans, int extra_attributes,
                                      int64_t now_ns) {
  SplitMix rng(seed * 0x2545F4914F6CDD1Dull + 0x1234567);
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<ExportTraceServiceRequest>(&arena);
  auto* rs = request->add_resource_spans();
  size_t service = rng.Below(kServices.size());
  auto* resource_attrs = rs->mutable_resource()->mutable_attributes();
  AddString(resource_attrs, "service.name", kServices[service]);
  AddString(resource_attrs, "service.version", kVersions[service]);
  AddString(resource_attrs, "deployment.environment.name", "prod");
  AddString(resource_attrs, "host.name", "host-" + std::to_string(rng.Below(16)));
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("periscope.load");
  ss->mutable_scope()->set_version("1.0");
  ss->mutable_spans()->Reserve(spans < 0 ? 0 : spans);

  std::string trace_id, root_id;
  for (int i = 0; i < spans;) {
    FillId(rng, &trace_id, 16);
    FillId(rng, &root_id, 8);
    // Root spans end within the last second; durations 2-50 ms.
    int64_t root_end = now_ns - static_cast<int64_t>(rng.Below(1'000'000'000));
    int64_t root_duration = 2'000'000 + static_cast<int64_t>(rng.Below(48'000'000));
    int64_t root_start = root_end - root_duration;
    bool failed = rng.Chance(0.02);

    auto* root = ss->add_spans();
    root->set_trace_id(trace_id);
    root->set_span_id(root_id);
    root->set_name("GET /api/item/{id}");
    root->set_kind(otlp_trace::Span::SPAN_KIND_SERVER);
    root->set_start_time_unix_nano(static_cast<uint64_t>(root_start));
    root->set_end_time_unix_nano(static_cast<uint64_t>(root_end));
    auto* attrs = root->mutable_attributes();
    AddString(attrs, "http.request.method", "GET");
    AddString(attrs, "http.route", "/api/item/{id}");
    AddInt(attrs, "http.response.status_code", failed ? 500 : 200);
    AddString(attrs, "user.id", "u" + std::to_string(rng.Below(10'000'000)));
    AddExtraAttributes(root, rng, extra_attributes);
    if (failed) root->mutable_status()->set_code(otlp_trace::Status::STATUS_CODE_ERROR);
    ++i;

    int64_t slot = root_duration / 4;
    for (int c = 0; c < 3 && i < spans; ++c, ++i) {
      auto* child = ss->add_spans();
      child->set_trace_id(trace_id);
      FillId(rng, child->mutable_span_id(), 8);
      child->set_parent_span_id(root_id);
      child->set_kind(otlp_trace::Span::SPAN_KIND_CLIENT);
      int64_t start = root_start + slot * c + static_cast<int64_t>(rng.Below(slot / 4 + 1));
      int64_t end = start + slot / 2 + static_cast<int64_t>(rng.Below(slot / 4 + 1));
      child->set_start_time_unix_nano(static_cast<uint64_t>(start));
      child->set_end_time_unix_nano(static_cast<uint64_t>(end));
      auto* child_attrs = child->mutable_attributes();
      if (c == 0) {
        child->set_name("SELECT items");
        AddString(child_attrs, "db.system", "postgresql");
        AddInt(child_attrs, "db.rows", static_cast<int64_t>(rng.Below(50)));
      } else {
        child->set_name(std::string(kRpcNames[c - 1]));
        AddString(child_attrs, "peer.service", kPeers[c - 1]);
        AddInt(child_attrs, "rpc.grpc.status_code", failed && c == 2 ? 13 : 0);
      }
      AddExtraAttributes(child, rng, extra_attributes);
      if (failed && c == 2)
        child->mutable_status()->set_code(otlp_trace::Status::STATUS_CODE_ERROR);
    }
  }
  return request->SerializeAsString();
}

}  // namespace periscope::loadgen
