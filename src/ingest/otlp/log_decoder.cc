#include "ingest/otlp/log_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <cstring>

#include "ingest/otlp/any_value_convert.h"
#include "ingest/otlp/exact_json.h"
#include "ingest/otlp/log_proto_decoder.h"
#include "ingest/otlp/otlp_json.h"
#include "ingest/otlp/proto_arena.h"
#include "ingest/otlp/proto_diagnosis.h"
#include "ingest/otlp/span_rejections.h"

namespace periscope {

namespace {

namespace pb_collector = opentelemetry::proto::collector::logs::v1;
namespace pb_logs = opentelemetry::proto::logs::v1;
using ExportRequest = pb_collector::ExportLogsServiceRequest;

constexpr uint64_t kMaxTime = static_cast<uint64_t>(INT64_MAX);
constexpr int kMaxJsonDepth = 64;

// Returns "" when the record is acceptable, else why it is not.
std::string RecordProblem(const pb_logs::LogRecord& rec) {
  if (!rec.trace_id().empty() && rec.trace_id().size() != TraceId::kSize) {
    return fmt::format("traceId is {} bytes, want 0 or 16", rec.trace_id().size());
  }
  if (!rec.span_id().empty() && rec.span_id().size() != SpanId::kSize) {
    return fmt::format("spanId is {} bytes, want 0 or 8", rec.span_id().size());
  }
  if (rec.time_unix_nano() > kMaxTime || rec.observed_time_unix_nano() > kMaxTime) {
    return "time is beyond the int64 nanosecond range";
  }
  return {};
}

template <size_t N>
BinaryId<N> IdFrom(const std::string& bytes) {
  BinaryId<N> id;
  if (bytes.size() == N) std::memcpy(id.bytes.data(), bytes.data(), N);
  return id;
}

template <typename T>
uint32_t InternInto(std::vector<T>& pool, T&& item) {
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i] == item) return static_cast<uint32_t>(i);
  }
  pool.push_back(std::move(item));
  return static_cast<uint32_t>(pool.size() - 1);
}

void AppendRecord(const pb_logs::LogRecord& rec, uint32_t r, uint32_t s, LogBatch& b) {
  b.resource_index.push_back(r);
  b.scope_index.push_back(s);
  const auto observed = static_cast<int64_t>(rec.observed_time_unix_nano());
  const auto time = static_cast<int64_t>(rec.time_unix_nano());
  b.time_ns.push_back(time != 0 ? time : observed);
  b.observed_time_ns.push_back(observed);
  b.severity_number.push_back(static_cast<int32_t>(rec.severity_number()));
  b.severity_text.push_back(rec.severity_text());
  b.body.push_back(rec.has_body() ? ConvertAnyValue(rec.body()) : AnyValue());
  b.trace_id.push_back(IdFrom<TraceId::kSize>(rec.trace_id()));
  b.span_id.push_back(IdFrom<SpanId::kSize>(rec.span_id()));
  b.flags.push_back(rec.flags());
  b.event_name.push_back(rec.event_name());
  b.attributes.push_back(ConvertAttributes(rec.attributes()));
  b.dropped_attributes_count.push_back(rec.dropped_attributes_count());
}

// Removes rejected records (and emptied scopes and resources) and stamps records without any
// time with now_ns. Returns true when `req` changed.
bool Normalize(ExportRequest& req, int64_t now_ns, SpanRejections& rejections) {
  bool changed = false;
  auto* rls = req.mutable_resource_logs();
  int rw = 0;
  for (int r = 0; r < rls->size(); ++r) {
    auto* sls = rls->Mutable(r)->mutable_scope_logs();
    int sw = 0;
    for (int s = 0; s < sls->size(); ++s) {
      auto* recs = sls->Mutable(s)->mutable_log_records();
      int w = 0;
      for (int k = 0; k < recs->size(); ++k) {
        auto* rec = recs->Mutable(k);
        std::string problem = RecordProblem(*rec);
        if (!problem.empty()) {
          rejections.Add(
              fmt::format("resourceLogs[{}].scopeLogs[{}].logRecords[{}]: {}", r, s, k, problem));
          changed = true;
          continue;
        }
        if (rec->time_unix_nano() == 0 && rec->observed_time_unix_nano() == 0) {
          rec->set_observed_time_unix_nano(static_cast<uint64_t>(now_ns));
          changed = true;
        }
        if (w != k) recs->SwapElements(w, k);
        ++w;
      }
      recs->DeleteSubrange(w, recs->size() - w);
      if (w == 0) continue;
      if (sw != s) sls->SwapElements(sw, s);
      ++sw;
    }
    sls->DeleteSubrange(sw, sls->size() - sw);
    if (sw == 0) continue;
    if (rw != r) rls->SwapElements(rw, r);
    ++rw;
  }
  rls->DeleteSubrange(rw, rls->size() - rw);
  return changed;
}

void Convert(const ExportRequest& req, std::string_view tenant, LogBatch& b) {
  b.tenant = tenant.empty() ? std::string("default") : std::string(tenant);
  for (const auto& rl : req.resource_logs()) {
    Resource res;
    res.attributes = ConvertAttributes(rl.resource().attributes());
    res.dropped_attributes_count = rl.resource().dropped_attributes_count();
    res.schema_url = rl.schema_url();
    res.tags = ExtractUnifiedTags(res.attributes);
    const uint32_t r = InternInto(b.resources, std::move(res));
    for (const auto& sl : rl.scope_logs()) {
      Scope scope;
      scope.name = sl.scope().name();
      scope.version = sl.scope().version();
      scope.attributes = ConvertAttributes(sl.scope().attributes());
      scope.dropped_attributes_count = sl.scope().dropped_attributes_count();
      scope.schema_url = sl.schema_url();
      const uint32_t s = InternInto(b.scopes, std::move(scope));
      for (const auto& rec : sl.log_records()) AppendRecord(rec, r, s, b);
    }
  }
}

DecodedLogs Finish(ExportRequest& req, std::string_view tenant, int64_t now_ns,
                   SpanRejections& rejections, const std::string_view* original) {
  DecodedLogs out;
  const bool changed = Normalize(req, now_ns, rejections);
  Convert(req, tenant, out.batch);
  if (original != nullptr && !changed) {
    out.wal_payload.assign(original->data(), original->size());
  } else {
    req.SerializeToString(&out.wal_payload);
  }
  out.rejected_records = rejections.count();
  out.error_message = rejections.message();
  return out;
}

// --- JSON: ids arrive as hex; protobuf's JSON parser wants base64 for bytes. ---

boost::json::value* Member(boost::json::object& o, std::string_view camel, std::string_view snake) {
  if (auto* v = o.if_contains(camel)) return v;
  return o.if_contains(snake);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Rewrites a hex id member to base64 in place. Returns "" when fine, else the problem (the
// member is then left for the caller to drop).
std::string HexIdToBase64(boost::json::object& rec, std::string_view camel, std::string_view snake,
                          size_t bytes) {
  for (std::string_view key : {camel, snake}) {
    auto* v = rec.if_contains(key);
    if (v == nullptr) continue;
    auto* s = v->if_string();
    if (s == nullptr) continue;  // the protobuf parser reports the wrong type
    if (s->empty()) continue;
    std::string raw;
    bool ok = s->size() == 2 * bytes;
    for (size_t i = 0; ok && i < bytes; ++i) {
      const int hi = HexDigit((*s)[2 * i]), lo = HexDigit((*s)[2 * i + 1]);
      ok = hi >= 0 && lo >= 0;
      raw.push_back(static_cast<char>(hi << 4 | lo));
    }
    if (!ok) return fmt::format("{}: not {} hex digits", camel, 2 * bytes);
    *v = boost::json::string(Base64Encode(raw));
  }
  return {};
}

// Converts ids in place and drops records whose ids are not hex, counting them.
Status PrepareJson(boost::json::value& root, SpanRejections& rejections) {
  auto* obj = root.if_object();
  if (obj == nullptr) return Status::InvalidArgument("body: expected a JSON object");
  auto* rls = Member(*obj, "resourceLogs", "resource_logs");
  if (rls == nullptr || !rls->is_array()) return Status::Ok();
  auto& rl_arr = rls->get_array();
  for (size_t r = 0; r < rl_arr.size(); ++r) {
    auto* rl = rl_arr[r].if_object();
    if (rl == nullptr) continue;
    auto* sls = Member(*rl, "scopeLogs", "scope_logs");
    if (sls == nullptr || !sls->is_array()) continue;
    auto& sl_arr = sls->get_array();
    for (size_t s = 0; s < sl_arr.size(); ++s) {
      auto* sl = sl_arr[s].if_object();
      if (sl == nullptr) continue;
      auto* recs = Member(*sl, "logRecords", "log_records");
      if (recs == nullptr || !recs->is_array()) continue;
      auto& arr = recs->get_array();
      boost::json::array kept;
      for (size_t k = 0; k < arr.size(); ++k) {
        auto* rec = arr[k].if_object();
        if (rec != nullptr) {
          std::string problem = HexIdToBase64(*rec, "traceId", "trace_id", TraceId::kSize);
          if (problem.empty()) problem = HexIdToBase64(*rec, "spanId", "span_id", SpanId::kSize);
          if (!problem.empty()) {
            rejections.Add(
                fmt::format("resourceLogs[{}].scopeLogs[{}].logRecords[{}].{}", r, s, k, problem));
            continue;
          }
        }
        kept.push_back(std::move(arr[k]));
      }
      arr = std::move(kept);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DecodedLogs> DecodeLogsProtobuf(std::string_view body, std::string_view tenant,
                                       int64_t now_ns) {
  DecodedLogs out;
  switch (DecodeLogsWire(body, tenant, now_ns, &out)) {
    case LogsWireOutcome::kBodyUnchanged:
      out.wal_payload.assign(body.data(), body.size());
      return out;
    case LogsWireOutcome::kPayloadRebuilt:
      return out;
    case LogsWireOutcome::kMalformed:
      break;
  }
  return DecodeLogsProtobufWithMessages(body, tenant, now_ns);
}

Result<DecodedLogs> DecodeLogsProtobufBody(std::string body, std::string_view tenant,
                                           int64_t now_ns) {
  DecodedLogs out;
  switch (DecodeLogsWire(body, tenant, now_ns, &out)) {
    case LogsWireOutcome::kBodyUnchanged:
      out.wal_payload = std::move(body);
      return out;
    case LogsWireOutcome::kPayloadRebuilt:
      return out;
    case LogsWireOutcome::kMalformed:
      break;
  }
  return DecodeLogsProtobufWithMessages(body, tenant, now_ns);
}

Result<DecodedLogs> DecodeLogsProtobufWithMessages(std::string_view body, std::string_view tenant,
                                                   int64_t now_ns) {
  if (body.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("protobuf body of {} bytes is larger than 2 GiB", body.size());
  }
  google::protobuf::Arena arena(ArenaOptionsFor(body.size()));
  auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
  if (!req->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("invalid ExportLogsServiceRequest protobuf: {}",
                                   DescribeProtobufError(*req, body));
  }
  SpanRejections rejections;
  return Finish(*req, tenant, now_ns, rejections, &body);
}

Result<DecodedLogs> DecodeLogsJson(std::string_view body, std::string_view tenant, int64_t now_ns) {
  boost::json::monotonic_resource memory;
  boost::json::value root;
  RETURN_IF_ERROR(ParseJsonExact(body, boost::json::storage_ptr(&memory), kMaxJsonDepth, &root));
  SpanRejections rejections;
  RETURN_IF_ERROR(PrepareJson(root, rejections));
  google::protobuf::Arena arena(ArenaOptionsFor(body.size() / 2));
  auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(boost::json::serialize(root), req, options);
  if (!st.ok()) {
    return Status::InvalidArgument("invalid OTLP/JSON logs request: {}", std::string(st.message()));
  }
  return Finish(*req, tenant, now_ns, rejections, nullptr);
}

DecodedLogs DecodeLogsMessage(ExportRequest& req, std::string_view tenant, int64_t now_ns) {
  SpanRejections rejections;
  return Finish(req, tenant, now_ns, rejections, nullptr);
}

std::string EncodeLogsResponse(int64_t rejected, std::string_view message, bool json) {
  const bool partial = rejected != 0 || !message.empty();
  if (!partial) return json ? "{}" : "";
  if (json) {
    std::string out = fmt::format("{{\"partialSuccess\":{{\"rejectedLogRecords\":\"{}\"", rejected);
    if (!message.empty()) {
      out += ",\"errorMessage\":";
      AppendJsonString(message, &out);
    }
    out += "}}";
    return out;
  }
  pb_collector::ExportLogsServiceResponse response;
  auto* p = response.mutable_partial_success();
  p->set_rejected_log_records(rejected);
  p->set_error_message(std::string(message));
  return response.SerializeAsString();
}

}  // namespace periscope
