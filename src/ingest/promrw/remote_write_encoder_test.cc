#include "ingest/promrw/remote_write_encoder.h"

#include <gtest/gtest.h>

#include "ingest/promrw/remote_write_decoder.h"

namespace periscope {
namespace {

TEST(RemoteWriteEncoderTest, DecodesBackToTheSameSeriesKindsAndExemplars) {
  MetricBatch batch;
  MetricSeries calls;
  calls.labels = {{"__name__", "traces_spanmetrics_calls_total"}, {"service", "cart"}};
  calls.kind = MetricKind::kCounter;
  calls.time_ms = {1000, 2000};
  calls.values = {3, 5};
  MetricExemplar ex;
  ex.time_ms = 2000;
  ex.value = 0.25;
  ex.trace_id = *TraceId::FromHex("5b8efff798038103d269b633813fc60c");
  ex.span_id = *SpanId::FromHex("eee19b7ec3c1b174");
  calls.exemplars.push_back(ex);
  MetricSeries temp;
  temp.labels = {{"__name__", "room_temperature"}, {"host", "a"}};
  temp.kind = MetricKind::kGauge;
  temp.time_ms = {1500};
  temp.values = {21.5};
  batch.series = {calls, temp};

  auto decoded = DecodeRemoteWriteProto(EncodeRemoteWrite(batch), "default");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->batch.series.size(), 2u);
  const MetricSeries& c = decoded->batch.series[0];
  EXPECT_EQ(c.labels, calls.labels);
  EXPECT_EQ(c.kind, MetricKind::kCounter);
  EXPECT_EQ(c.values, calls.values);
  EXPECT_EQ(c.time_ms, calls.time_ms);
  ASSERT_EQ(c.exemplars.size(), 1u);
  EXPECT_EQ(c.exemplars[0].trace_id, ex.trace_id);
  EXPECT_EQ(c.exemplars[0].span_id, ex.span_id);
  EXPECT_EQ(decoded->batch.series[1].kind, MetricKind::kGauge);
  EXPECT_EQ(decoded->batch.series[1].values, temp.values);
}

}  // namespace
}  // namespace periscope
