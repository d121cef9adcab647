#include "storage/metrics/series_block.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "storage/metrics/sample_codec.h"

namespace periscope {

namespace {
constexpr uint64_t kMaxSamplesPerBlock = 1u << 24;
}  // namespace

void SortAndDedupSamples(MetricSeries& s) {
  const size_t n = s.time_ms.size();
  const bool has_start = s.start_ms.size() == n && n > 0;
  if (!has_start) s.start_ms.clear();
  bool sorted = true;
  for (size_t i = 1; i < n; ++i) sorted = sorted && s.time_ms[i - 1] < s.time_ms[i];
  if (!sorted) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return s.time_ms[a] < s.time_ms[b]; });
    std::vector<size_t> keep;
    keep.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!keep.empty() && s.time_ms[keep.back()] == s.time_ms[order[i]]) {
        keep.back() = order[i];  // last arrival wins
      } else {
        keep.push_back(order[i]);
      }
    }
    MetricSeries out;
    for (size_t i : keep) {
      out.time_ms.push_back(s.time_ms[i]);
      out.values.push_back(s.values[i]);
      if (has_start) out.start_ms.push_back(s.start_ms[i]);
    }
    s.time_ms = std::move(out.time_ms);
    s.values = std::move(out.values);
    s.start_ms = std::move(out.start_ms);
  }
  std::sort(s.exemplars.begin(), s.exemplars.end(),
            [](const MetricExemplar& a, const MetricExemplar& b) { return a.time_ms < b.time_ms; });
}

void EncodeSeriesBlock(const MetricSeries& s, std::string* out) {
  const size_t n = s.time_ms.size();
  PutVarint64(out, n);
  EncodeTimestamps(s.time_ms, out);
  EncodeValues(std::span<const double>(s.values.data(), n), out);
  const bool has_start = s.start_ms.size() == n && n > 0;
  out->push_back(has_start ? 1 : 0);
  if (has_start) EncodeTimestamps(s.start_ms, out);
  PutVarint64(out, s.exemplars.size());
  for (const auto& e : s.exemplars) {
    PutVarintSigned64(out, e.time_ms);
    uint64_t bits;
    std::memcpy(&bits, &e.value, 8);
    PutFixed64(out, bits);
    out->append(e.trace_id.View());
    out->append(e.span_id.View());
  }
}

Status DecodeSeriesBlock(std::string_view block, MetricSeries* out) {
  ByteReader in(block);
  uint64_t n;
  if (!in.GetVarint64(&n) || n > kMaxSamplesPerBlock || n > block.size()) {
    return Status::Corruption("series block has a bad sample count");
  }
  out->time_ms.clear();
  out->values.clear();
  out->start_ms.clear();
  out->exemplars.clear();
  RETURN_IF_ERROR(DecodeTimestamps(in, n, &out->time_ms));
  RETURN_IF_ERROR(DecodeValues(in, n, &out->values));
  std::string_view flag;
  if (!in.GetBytes(1, &flag)) return Status::Corruption("series block truncated");
  if (flag[0] == 1) {
    RETURN_IF_ERROR(DecodeTimestamps(in, n, &out->start_ms));
  } else if (flag[0] != 0) {
    return Status::Corruption("series block has a bad start-time flag");
  }
  uint64_t exemplars;
  if (!in.GetVarint64(&exemplars) || exemplars > in.remaining()) {
    return Status::Corruption("series block has a bad exemplar count");
  }
  for (uint64_t i = 0; i < exemplars; ++i) {
    MetricExemplar e;
    uint64_t bits;
    std::string_view trace, span;
    if (!in.GetVarintSigned64(&e.time_ms) || !in.GetFixed64(&bits) ||
        !in.GetBytes(TraceId::kSize, &trace) || !in.GetBytes(SpanId::kSize, &span)) {
      return Status::Corruption("series block exemplar {} truncated", i);
    }
    std::memcpy(&e.value, &bits, 8);
    e.trace_id = *TraceId::FromBytes(trace);
    e.span_id = *SpanId::FromBytes(span);
    out->exemplars.push_back(e);
  }
  if (!in.empty()) return Status::Corruption("series block has {} trailing bytes", in.remaining());
  return Status::Ok();
}

}  // namespace periscope
