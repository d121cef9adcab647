#include "ingest/promrw/remote_write_decoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include "prometheus/remote.pb.h"

namespace periscope {
namespace {

std::string Compressed(const prometheus::WriteRequest& req) {
  std::string out;
  snappy::Compress(req.SerializeAsString().data(), req.ByteSizeLong(), &out);
  return out;
}

prometheus::WriteRequest Sample() {
  prometheus::WriteRequest req;
  auto* ts = req.add_timeseries();
  for (auto [k, v] :
       {std::pair{"job", "node"}, {"__name__", "http_requests_total"}, {"instance", "a:9100"}}) {
    auto* l = ts->add_labels();
    l->set_name(k);
    l->set_value(v);
  }
  for (int i = 0; i < 3; ++i) {
    auto* s = ts->add_samples();
    s->set_timestamp(1700000000000 + i * 15000);
    s->set_value(10.5 * i);
  }
  auto* e = ts->add_exemplars();
  e->set_value(3);
  e->set_timestamp(1700000000001);
  auto* l = e->add_labels();
  l->set_name("trace_id");
  l->set_value("0102030405060708090a0b0c0d0e0f10");
  auto* gauge = req.add_timeseries();
  auto* gl = gauge->add_labels();
  gl->set_name("__name__");
  gl->set_value("temperature");
  gauge->add_samples()->set_value(21.5);
  auto* md = req.add_metadata();
  md->set_metric_family_name("temperature");
  md->set_type(prometheus::MetricMetadata::GAUGE);
  return req;
}

TEST(RemoteWriteDecoderTest, DecodesSeriesSamplesKindsAndExemplars) {
  auto d = DecodeRemoteWrite(Compressed(Sample()), "t1", 1 << 20);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->batch.tenant, "t1");
  ASSERT_EQ(d->batch.series.size(), 2u);
  const MetricSeries& s = d->batch.series[0];
  EXPECT_EQ(s.labels,
            (Labels{{"__name__", "http_requests_total"}, {"instance", "a:9100"}, {"job", "node"}}));
  EXPECT_EQ(s.kind, MetricKind::kCounter);
  EXPECT_EQ(s.time_ms, (std::vector<int64_t>{1700000000000, 1700000015000, 1700000030000}));
  EXPECT_EQ(s.values, (std::vector<double>{0, 10.5, 21}));
  ASSERT_EQ(s.exemplars.size(), 1u);
  EXPECT_EQ(s.exemplars[0].trace_id.Hex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(d->batch.series[1].kind, MetricKind::kGauge);
  EXPECT_EQ(d->rejected_series, 0);
  auto again = DecodeRemoteWriteProto(d->wal_payload, "t1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batch.series, d->batch.series);
}

TEST(RemoteWriteDecoderTest, RejectsSeriesWithoutName) {
  prometheus::WriteRequest req;
  auto* ts = req.add_timeseries();
  auto* l = ts->add_labels();
  l->set_name("job");
  l->set_value("x");
  ts->add_samples()->set_value(1);
  auto d = DecodeRemoteWrite(Compressed(req), "default", 1 << 20);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rejected_series, 1);
  EXPECT_TRUE(d->batch.series.empty());
  EXPECT_NE(d->error_message.find("__name__"), std::string::npos);
}

TEST(RemoteWriteDecoderTest, CorruptInputIsInvalidArgument) {
  EXPECT_EQ(
      DecodeRemoteWrite("not snappy at all \xff\xff\xff\xff\xff", "d", 1 << 20).status().code(),
      StatusCode::kInvalidArgument);
  std::string body = Compressed(Sample());
  for (size_t cut = 1; cut < body.size(); cut += 7) {
    auto d = DecodeRemoteWrite(body.substr(0, cut), "d", 1 << 20);
    EXPECT_FALSE(d.ok()) << cut;
  }
  std::string garbage;
  std::string junk = "\x0a\xff\xff\xff\xff\x0f garbage";
  snappy::Compress(junk.data(), junk.size(), &garbage);
  EXPECT_EQ(DecodeRemoteWrite(garbage, "d", 1 << 20).status().code(), StatusCode::kInvalidArgument);
}

TEST(RemoteWriteDecoderTest, RefusesBodiesOverTheLimit) {
  EXPECT_EQ(DecodeRemoteWrite(Compressed(Sample()), "d", 10).status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace periscope
