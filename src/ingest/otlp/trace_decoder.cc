#include "ingest/otlp/trace_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "ingest/otlp/any_value_convert.h"
#include "ingest/otlp/otlp_json.h"
#include "ingest/otlp/proto_arena.h"
#include "ingest/otlp/proto_diagnosis.h"
#include "ingest/otlp/span_rejections.h"

namespace periscope {

namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
using ExportRequest = pb_collector::ExportTraceServiceRequest;

constexpr uint64_t kMaxTime = static_cast<uint64_t>(INT64_MAX);

bool AllZero(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Returns "" when the span is acceptable, else why it is not.
std::string SpanProblem(const pb_trace::Span& span) {
  if (span.trace_id().size() != TraceId::kSize) {
    return fmt::format("traceId is {} bytes, want 16", span.trace_id().size());
  }
  if (AllZero(span.trace_id())) return "traceId is all zero";
  if (span.span_id().size() != SpanId::kSize) {
    return fmt::format("spanId is {} bytes, want 8", span.span_id().size());
  }
  if (AllZero(span.span_id())) return "spanId is all zero";
  if (!span.parent_span_id().empty() && span.parent_span_id().size() != SpanId::kSize) {
    return fmt::format("parentSpanId is {} bytes, want 0 or 8", span.parent_span_id().size());
  }
  if (span.start_time_unix_nano() > kMaxTime || span.end_time_unix_nano() > kMaxTime) {
    return "time is beyond the int64 nanosecond range";
  }
  if (span.end_time_unix_nano() < span.start_time_unix_nano()) {
    return fmt::format("endTimeUnixNano {} is before startTimeUnixNano {}",
                       span.end_time_unix_nano(), span.start_time_unix_nano());
  }
  for (int i = 0; i < span.links_size(); ++i) {
    const auto& link = span.links(i);
    if (link.trace_id().size() != TraceId::kSize || link.span_id().size() != SpanId::kSize) {
      return fmt::format("links[{}] ids are {} and {} bytes, want 16 and 8", i,
                         link.trace_id().size(), link.span_id().size());
    }
  }
  return {};
}

template <size_t N>
BinaryId<N> IdFrom(const std::string& bytes) {
  BinaryId<N> id;
  if (bytes.size() == N) std::memcpy(id.bytes.data(), bytes.data(), N);
  return id;
}

SpanKind KindFrom(int v) {
  return v >= 0 && v <= static_cast<int>(SpanKind::kConsumer) ? static_cast<SpanKind>(v)
                                                              : SpanKind::kUnspecified;
}

StatusCodeValue StatusFrom(int v) {
  return v >= 0 && v <= static_cast<int>(StatusCodeValue::kError) ? static_cast<StatusCodeValue>(v)
                                                                  : StatusCodeValue::kUnset;
}

int64_t TimeFrom(uint64_t t) { return static_cast<int64_t>(std::min(t, kMaxTime)); }

template <typename T>
uint32_t InternInto(std::vector<T>& pool, T&& item) {
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i] == item) return static_cast<uint32_t>(i);
  }
  pool.push_back(std::move(item));
  return static_cast<uint32_t>(pool.size() - 1);
}

void Reserve(SpanBatch& b, size_t n) {
  b.resource_index.reserve(n);
  b.scope_index.reserve(n);
  b.trace_id.reserve(n);
  b.span_id.reserve(n);
  b.parent_span_id.reserve(n);
  b.trace_state.reserve(n);
  b.flags.reserve(n);
  b.name.reserve(n);
  b.kind.reserve(n);
  b.start_ns.reserve(n);
  b.end_ns.reserve(n);
  b.attributes.reserve(n);
  b.dropped_attributes_count.reserve(n);
  b.events.reserve(n);
  b.dropped_events_count.reserve(n);
  b.links.reserve(n);
  b.dropped_links_count.reserve(n);
  b.status_code.reserve(n);
  b.status_message.reserve(n);
}

void AppendSpan(const pb_trace::Span& span, uint32_t r, uint32_t s, SpanBatch& b) {
  b.resource_index.push_back(r);
  b.scope_index.push_back(s);
  b.trace_id.push_back(IdFrom<TraceId::kSize>(span.trace_id()));
  b.span_id.push_back(IdFrom<SpanId::kSize>(span.span_id()));
  b.parent_span_id.push_back(IdFrom<SpanId::kSize>(span.parent_span_id()));
  b.trace_state.push_back(span.trace_state());
  b.flags.push_back(span.flags());
  b.name.push_back(span.name());
  b.kind.push_back(KindFrom(span.kind()));
  b.start_ns.push_back(TimeFrom(span.start_time_unix_nano()));
  b.end_ns.push_back(TimeFrom(span.end_time_unix_nano()));
  b.attributes.push_back(ConvertAttributes(span.attributes()));
  b.dropped_attributes_count.push_back(span.dropped_attributes_count());
  auto& events = b.events.emplace_back();
  events.reserve(static_cast<size_t>(span.events_size()));
  for (const auto& e : span.events()) {
    events.push_back(SpanEvent{TimeFrom(e.time_unix_nano()), e.name(),
                               ConvertAttributes(e.attributes()), e.dropped_attributes_count()});
  }
  b.dropped_events_count.push_back(span.dropped_events_count());
  auto& links = b.links.emplace_back();
  links.reserve(static_cast<size_t>(span.links_size()));
  for (const auto& l : span.links()) {
    links.push_back(SpanLink{
        IdFrom<TraceId::kSize>(l.trace_id()), IdFrom<SpanId::kSize>(l.span_id()), l.trace_state(),
        ConvertAttributes(l.attributes()), l.dropped_attributes_count(), l.flags()});
  }
  b.dropped_links_count.push_back(span.dropped_links_count());
  b.status_code.push_back(StatusFrom(span.status().code()));
  b.status_message.push_back(span.status().message());
}

// Walks the positions of spans already rejected by the JSON parser, in request order.
class PreRejected {
 public:
  explicit PreRejected(const std::vector<SpanPosition>* list) : list_(list) {}
  bool Take(int r, int s, int k) {
    if (list_ == nullptr || next_ >= list_->size()) return false;
    const SpanPosition& p = (*list_)[next_];
    if (p.resource != r || p.scope != s || p.span != k) return false;
    ++next_;
    return true;
  }

 private:
  const std::vector<SpanPosition>* list_;
  size_t next_ = 0;
};

// Fills out.batch from `req`, counting rejected spans into `rejections`; spans listed in
// `pre_rejected` were counted already.
void ConvertRequest(const ExportRequest& req, std::string_view tenant,
                    const std::vector<SpanPosition>* pre_rejected, SpanRejections& rejections,
                    DecodedTraces& out) {
  PreRejected skip(pre_rejected);
  SpanBatch& b = out.batch;
  b.tenant = tenant.empty() ? std::string("default") : std::string(tenant);
  size_t total = 0;
  for (const auto& rs : req.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) total += static_cast<size_t>(ss.spans_size());
  }
  Reserve(b, total);
  for (int ri = 0; ri < req.resource_spans_size(); ++ri) {
    const auto& rs = req.resource_spans(ri);
    int64_t r = -1;  // interned lazily, at the first accepted span
    for (int si = 0; si < rs.scope_spans_size(); ++si) {
      const auto& ss = rs.scope_spans(si);
      int64_t s = -1;
      for (int k = 0; k < ss.spans_size(); ++k) {
        if (skip.Take(ri, si, k)) continue;
        const auto& span = ss.spans(k);
        std::string problem = SpanProblem(span);
        if (!problem.empty()) {
          rejections.Add(
              fmt::format("resourceSpans[{}].scopeSpans[{}].spans[{}]: {}", ri, si, k, problem));
          continue;
        }
        if (r < 0) {
          Resource res;
          res.attributes = ConvertAttributes(rs.resource().attributes());
          res.dropped_attributes_count = rs.resource().dropped_attributes_count();
          res.schema_url = rs.schema_url();
          res.tags = ExtractUnifiedTags(res.attributes);
          r = InternInto(b.resources, std::move(res));
        }
        if (s < 0) {
          Scope scope;
          scope.name = ss.scope().name();
          scope.version = ss.scope().version();
          scope.attributes = ConvertAttributes(ss.scope().attributes());
          scope.dropped_attributes_count = ss.scope().dropped_attributes_count();
          scope.schema_url = ss.schema_url();
          s = InternInto(b.scopes, std::move(scope));
        }
        AppendSpan(span, static_cast<uint32_t>(r), static_cast<uint32_t>(s), b);
      }
    }
  }
}

// Keeps only accepted spans, and only scopes and resources that still hold spans.
void RemoveRejected(ExportRequest& req, const std::vector<SpanPosition>* pre_rejected) {
  PreRejected skip(pre_rejected);
  auto* rss = req.mutable_resource_spans();
  int rw = 0;
  for (int r = 0; r < rss->size(); ++r) {
    auto* sss = rss->Mutable(r)->mutable_scope_spans();
    int sw = 0;
    for (int s = 0; s < sss->size(); ++s) {
      auto* spans = sss->Mutable(s)->mutable_spans();
      int w = 0;
      for (int k = 0; k < spans->size(); ++k) {
        if (skip.Take(r, s, k) || !SpanProblem(spans->Get(k)).empty()) continue;
        if (w != k) spans->SwapElements(w, k);
        ++w;
      }
      spans->DeleteSubrange(w, spans->size() - w);
      if (w == 0) continue;
      if (sw != s) sss->SwapElements(sw, s);
      ++sw;
    }
    sss->DeleteSubrange(sw, sss->size() - sw);
    if (sw == 0) continue;
    if (rw != r) rss->SwapElements(rw, r);
    ++rw;
  }
  rss->DeleteSubrange(rw, rss->size() - rw);
}

// Converts, then re-serializes the accepted subset when anything was rejected. `original` is the
// protobuf body when the request came as one.
DecodedTraces Finish(ExportRequest& req, std::string_view tenant,
                     const std::vector<SpanPosition>* pre_rejected, SpanRejections& rejections,
                     const std::string_view* original) {
  DecodedTraces out;
  ConvertRequest(req, tenant, pre_rejected, rejections, out);
  if (original != nullptr && rejections.count() == 0) {
    out.wal_payload.assign(original->data(), original->size());
  } else {
    if (rejections.count() > 0) RemoveRejected(req, pre_rejected);
    req.SerializeToString(&out.wal_payload);
  }
  out.rejected_spans = rejections.count();
  out.error_message = rejections.message();
  return out;
}

}  // namespace

Result<DecodedTraces> DecodeTracesProtobuf(std::string_view body, std::string_view tenant) {
  if (body.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("protobuf body of {} bytes is larger than 2 GiB", body.size());
  }
  google::protobuf::Arena arena(ArenaOptionsFor(body.size()));
  auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
  if (!req->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("invalid ExportTraceServiceRequest protobuf: {}",
                                   DescribeProtobufError(*req, body));
  }
  SpanRejections rejections;
  return Finish(*req, tenant, nullptr, rejections, &body);
}

Result<DecodedTraces> DecodeTracesJson(std::string_view body, std::string_view tenant) {
  google::protobuf::Arena arena(ArenaOptionsFor(body.size() / 2));
  auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
  SpanRejections rejections;
  std::vector<SpanPosition> rejected;
  RETURN_IF_ERROR(ParseTracesJson(body, req, &rejected, &rejections));
  return Finish(*req, tenant, &rejected, rejections, nullptr);
}

DecodedTraces DecodeTracesMessage(ExportRequest& req, std::string_view tenant) {
  SpanRejections rejections;
  return Finish(req, tenant, nullptr, rejections, nullptr);
}

std::string EncodeTraceResponse(int64_t rejected, std::string_view message, bool json) {
  const bool partial = rejected != 0 || !message.empty();
  if (json) {
    if (!partial) return "{}";
    std::string out = fmt::format("{{\"partialSuccess\":{{\"rejectedSpans\":\"{}\"", rejected);
    if (!message.empty()) {
      out += ",\"errorMessage\":";
      AppendJsonString(message, &out);
    }
    out += "}}";
    return out;
  }
  pb_collector::ExportTraceServiceResponse response;
  if (partial) {
    auto* p = response.mutable_partial_success();
    p->set_rejected_spans(rejected);
    p->set_error_message(std::string(message));
  }
  return response.SerializeAsString();
}

}  // namespace periscope
