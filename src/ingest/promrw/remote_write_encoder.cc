#include "ingest/promrw/remote_write_encoder.h"

#include <map>

#include "prometheus/remote.pb.h"

namespace periscope {

namespace {

prometheus::MetricMetadata::MetricType TypeOf(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
    case MetricKind::kDeltaCounter:
      return prometheus::MetricMetadata::COUNTER;
    case MetricKind::kGauge:
    case MetricKind::kSum:
    case MetricKind::kDeltaSum:
      return prometheus::MetricMetadata::GAUGE;
    case MetricKind::kUnknown:
      return prometheus::MetricMetadata::UNKNOWN;
  }
  return prometheus::MetricMetadata::UNKNOWN;
}

}  // namespace

std::string EncodeRemoteWrite(const MetricBatch& batch) {
  prometheus::WriteRequest req;
  std::map<std::string, MetricKind> kinds;
  for (const MetricSeries& s : batch.series) {
    auto* ts = req.add_timeseries();
    for (const auto& [name, value] : s.labels) {
      auto* label = ts->add_labels();
      label->set_name(name);
      label->set_value(value);
      if (name == "__name__") kinds.emplace(value, s.kind);
    }
    for (size_t i = 0; i < s.values.size(); ++i) {
      auto* sample = ts->add_samples();
      sample->set_value(s.values[i]);
      sample->set_timestamp(s.time_ms[i]);
    }
    for (const MetricExemplar& e : s.exemplars) {
      auto* ex = ts->add_exemplars();
      ex->set_value(e.value);
      ex->set_timestamp(e.time_ms);
      auto* trace = ex->add_labels();
      trace->set_name("trace_id");
      trace->set_value(e.trace_id.Hex());
      auto* span = ex->add_labels();
      span->set_name("span_id");
      span->set_value(e.span_id.Hex());
    }
  }
  for (const auto& [name, kind] : kinds) {
    auto* m = req.add_metadata();
    m->set_metric_family_name(name);
    m->set_type(TypeOf(kind));
  }
  return req.SerializeAsString();
}

}  // namespace periscope
