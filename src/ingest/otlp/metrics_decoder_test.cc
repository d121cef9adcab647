#include "ingest/otlp/metrics_decoder.h"

#include <gtest/gtest.h>

namespace periscope {
namespace {

namespace pb = opentelemetry::proto::metrics::v1;
using Request = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

pb::Metric* NewMetric(Request& req, const std::string& name) {
  auto* rm = req.add_resource_metrics();
  auto* kv = rm->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("checkout");
  auto* m = rm->add_scope_metrics()->add_metrics();
  m->set_name(name);
  return m;
}

const MetricSeries* Find(const DecodedMetrics& d, std::string_view name, std::string_view le = "") {
  for (const auto& s : d.batch.series) {
    bool name_ok = false, le_ok = le.empty();
    for (const auto& [k, v] : s.labels) {
      name_ok |= k == "__name__" && v == name;
      le_ok |= k == "le" && v == le;
    }
    if (name_ok && le_ok) return &s;
  }
  return nullptr;
}

TEST(MetricsDecoderTest, MapsSumsWithStartTimesAndUnifiedTags) {
  Request req;
  auto* m = NewMetric(req, "http.server.requests");
  m->mutable_sum()->set_is_monotonic(true);
  m->mutable_sum()->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = m->mutable_sum()->add_data_points();
  p->set_time_unix_nano(1700000000123456789);
  p->set_start_time_unix_nano(1690000000000000000);
  p->set_as_int(42);
  auto* a = p->add_attributes();
  a->set_key("http.route");
  a->mutable_value()->set_string_value("/cart");
  auto d = DecodeMetricsProtobuf(req.SerializeAsString(), "default");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->batch.series.size(), 1u);
  const auto& s = d->batch.series[0];
  EXPECT_EQ(s.labels, (Labels{{"__name__", "http_server_requests"},
                              {"http_route", "/cart"},
                              {"service", "checkout"}}));
  EXPECT_EQ(s.kind, MetricKind::kCounter);
  EXPECT_EQ(s.time_ms, std::vector<int64_t>{1700000000123});
  EXPECT_EQ(s.values, std::vector<double>{42});
  EXPECT_EQ(s.start_ms, std::vector<int64_t>{1690000000000});
}

TEST(MetricsDecoderTest, HistogramBecomesCumulativeBucketsWithExemplars) {
  Request req;
  auto* m = NewMetric(req, "latency");
  auto* p = m->mutable_histogram()->add_data_points();
  p->set_time_unix_nano(2000000000);
  p->set_count(6);
  p->set_sum(12.5);
  for (double b : {1.0, 5.0}) p->add_explicit_bounds(b);
  for (uint64_t c : {1, 3, 2}) p->add_bucket_counts(c);
  auto* e = p->add_exemplars();
  e->set_as_double(3.0);
  e->set_time_unix_nano(1500000000);
  e->set_trace_id(std::string(16, '\x01'));
  e->set_span_id(std::string(8, '\x02'));
  auto d = DecodeMetricsProtobuf(req.SerializeAsString(), "default");
  ASSERT_TRUE(d.ok());
  ASSERT_NE(Find(*d, "latency_bucket", "1"), nullptr);
  EXPECT_EQ(Find(*d, "latency_bucket", "1")->values[0], 1);
  EXPECT_EQ(Find(*d, "latency_bucket", "5")->values[0], 4);
  EXPECT_EQ(Find(*d, "latency_bucket", "+Inf")->values[0], 6);
  EXPECT_EQ(Find(*d, "latency_count")->values[0], 6);
  EXPECT_EQ(Find(*d, "latency_sum")->values[0], 12.5);
  ASSERT_EQ(Find(*d, "latency_bucket", "5")->exemplars.size(), 1u);
  EXPECT_EQ(Find(*d, "latency_bucket", "5")->exemplars[0].span_id.Hex(), "0202020202020202");
}

TEST(MetricsDecoderTest, HistogramBucketLabelsAreThePointsLabelsPlusTheirBound) {
  Request req;
  auto* m = NewMetric(req, "latency");
  auto* p = m->mutable_histogram()->add_data_points();
  p->set_time_unix_nano(2000000000);
  p->set_count(3);
  for (double b : {0.25, 1.0}) p->add_explicit_bounds(b);
  for (uint64_t c : {1, 1, 1}) p->add_bucket_counts(c);
  for (const char* key : {"zone", "le", "app"}) {
    auto* a = p->add_attributes();
    a->set_key(key);
    a->mutable_value()->set_string_value(std::string("attr-") + key);
  }
  auto d = DecodeMetricsProtobuf(req.SerializeAsString(), "default");
  ASSERT_TRUE(d.ok());
  for (const char* le : {"0.25", "1", "+Inf"}) {
    const MetricSeries* s = Find(*d, "latency_bucket", le);
    ASSERT_NE(s, nullptr) << le;
    // The bucket bound wins over an attribute called le.
    EXPECT_EQ(s->labels, (Labels{{"__name__", "latency_bucket"},
                                 {"app", "attr-app"},
                                 {"le", le},
                                 {"service", "checkout"},
                                 {"zone", "attr-zone"}}));
  }
  EXPECT_EQ(Find(*d, "latency_count")->labels, (Labels{{"__name__", "latency_count"},
                                                       {"app", "attr-app"},
                                                       {"le", "attr-le"},
                                                       {"service", "checkout"},
                                                       {"zone", "attr-zone"}}));
}

TEST(MetricsDecoderTest, ExponentialHistogramBucketsAreCumulative) {
  Request req;
  auto* p = NewMetric(req, "size")->mutable_exponential_histogram()->add_data_points();
  p->set_time_unix_nano(2000000000);
  p->set_scale(0);  // base 2
  p->set_count(7);
  p->set_zero_count(1);
  p->mutable_positive()->set_offset(1);  // buckets (2,4], (4,8]
  p->mutable_positive()->add_bucket_counts(2);
  p->mutable_positive()->add_bucket_counts(3);
  p->mutable_negative()->add_bucket_counts(1);  // [-2,-1)
  auto d = DecodeMetricsProtobuf(req.SerializeAsString(), "default");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Find(*d, "size_bucket", "-1")->values[0], 1);
  EXPECT_EQ(Find(*d, "size_bucket", "0")->values[0], 2);
  EXPECT_EQ(Find(*d, "size_bucket", "4")->values[0], 4);
  EXPECT_EQ(Find(*d, "size_bucket", "8")->values[0], 7);
  EXPECT_EQ(Find(*d, "size_bucket", "+Inf")->values[0], 7);
}

TEST(MetricsDecoderTest, BadPointsAreRejectedNotFatal) {
  Request req;
  auto* m = NewMetric(req, "h");
  auto* p = m->mutable_histogram()->add_data_points();
  p->set_time_unix_nano(1);
  p->add_bucket_counts(1);
  p->add_explicit_bounds(1);  // 1 count for 1 bound
  auto* g = NewMetric(req, "g")->mutable_gauge()->add_data_points();
  g->set_as_double(1);  // no time
  auto d = DecodeMetricsProtobuf(req.SerializeAsString(), "default");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rejected_points, 2);
  EXPECT_TRUE(d->batch.series.empty());
  EXPECT_FALSE(d->error_message.empty());
}

TEST(MetricsDecoderTest, CorruptInputIsInvalidArgument) {
  EXPECT_EQ(DecodeMetricsProtobuf("\x0a\xff\xff\xff\xff\x0f", "d").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeMetricsJson("{\"resourceMetrics\": 3}", "d").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeMetricsJson("{not json", "d").status().code(), StatusCode::kInvalidArgument);
}

TEST(MetricsDecoderTest, JsonWithHexExemplarIds) {
  const char* body = R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",
    "value":{"stringValue":"cart"}}]},"scopeMetrics":[{"metrics":[{"name":"g","gauge":{
    "dataPoints":[{"timeUnixNano":"3000000000","asDouble":1.5,"exemplars":[{"timeUnixNano":
    "3000000000","asDouble":1.5,"traceId":"0102030405060708090a0b0c0d0e0f10",
    "spanId":"1112131415161718"}]}]}}]}]}]})";
  auto d = DecodeMetricsJson(body, "default");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->batch.series.size(), 1u);
  ASSERT_EQ(d->batch.series[0].exemplars.size(), 1u);
  EXPECT_EQ(d->batch.series[0].exemplars[0].trace_id.Hex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(d->batch.series[0].exemplars[0].span_id.Hex(), "1112131415161718");
}

}  // namespace
}  // namespace periscope
