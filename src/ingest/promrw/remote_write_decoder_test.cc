#include "ingest/promrw/remote_write_decoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <random>

#include "ingest/promrw/proto_wire.h"
#include "model/metric_labels.h"
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

// What the decoder must produce for a request libprotobuf parsed (the conversion rules of
// DecodeRemoteWrite, written against the generated classes).
std::vector<MetricSeries> Expected(const prometheus::WriteRequest& req) {
  std::vector<MetricSeries> out;
  for (const auto& ts : req.timeseries()) {
    if (ts.samples_size() == 0) continue;
    MetricSeries s;
    for (const auto& l : ts.labels()) s.labels.emplace_back(l.name(), l.value());
    NormalizeLabels(s.labels);
    if (LabelValue(s.labels, "__name__").empty()) continue;
    for (const auto& x : ts.samples()) {
      s.time_ms.push_back(x.timestamp());
      s.values.push_back(x.value());
    }
    for (const auto& e : ts.exemplars()) {
      std::optional<TraceId> trace;
      for (const auto& l : e.labels()) {
        if (l.name() == "trace_id" || l.name() == "traceID") {
          trace = TraceId::FromHex(l.value());
          break;
        }
      }
      if (!trace) continue;
      MetricExemplar x;
      x.time_ms = e.timestamp();
      x.value = e.value();
      x.trace_id = *trace;
      for (const auto& l : e.labels()) {
        if (l.name() == "span_id" || l.name() == "spanID") {
          if (auto span = SpanId::FromHex(l.value())) x.span_id = *span;
          break;
        }
      }
      s.exemplars.push_back(x);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<MetricSeries> WithoutKinds(std::vector<MetricSeries> series) {
  for (auto& s : series) s.kind = MetricKind::kUnknown;
  return series;
}

TEST(RemoteWriteDecoderTest, AgreesWithLibprotobufOnMangledRequests) {
  prometheus::WriteRequest req = Sample();
  auto* ts = req.add_timeseries();  // unsorted labels, a duplicate name and an empty value
  for (auto [k, v] : {std::pair{"zone", "b"}, {"__name__", "x_total"}, {"zone", "c"}, {"e", ""}}) {
    auto* l = ts->add_labels();
    l->set_name(k);
    l->set_value(v);
  }
  ts->add_samples()->set_value(-1.5);
  req.add_timeseries()->add_histograms()->set_sum(3);
  const std::string good = req.SerializeAsString();
  std::mt19937 rng(7);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string bytes = good;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          bytes.resize(at);
          break;
        default:
          bytes.insert(at, 1, static_cast<char>(rng()));
      }
      if (bytes.empty()) bytes = good;
    }
    prometheus::WriteRequest ref;
    const bool ref_ok = ref.ParseFromString(bytes);
    auto got = DecodeRemoteWriteProto(bytes, "t");
    ASSERT_EQ(got.ok(), ref_ok) << "round " << round << ": " << got.status().ToString();
    if (!ref_ok) {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      ++refused;
      continue;
    }
    ++accepted;
    ASSERT_EQ(WithoutKinds(got->batch.series), Expected(ref)) << "round " << round;
  }
  EXPECT_GT(accepted, 100);
  EXPECT_GT(refused, 100);
}

TEST(RemoteWriteDecoderTest, SkipsUnknownFieldsAndRejectsBadUtf8) {
  prometheus::WriteRequest req = Sample();
  std::string bytes = req.SerializeAsString();
  // Unknown varint, fixed32 and length-delimited fields at the top level are skipped.
  bytes += std::string("\x28\x05\x3d\x01\x02\x03\x04\x42\x02hi", 11);
  auto d = DecodeRemoteWriteProto(bytes, "t");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->batch.series.size(), 2u);
  prometheus::WriteRequest bad = Sample();
  bad.mutable_timeseries(0)->mutable_labels(0)->set_value("\xff\xfe");
  EXPECT_EQ(DecodeRemoteWriteProto(bad.SerializeAsString(), "t").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ProtoWireTest, ValidatesUtf8LikeProtobuf) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii, long enough for the word loop"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xe2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(RemoteWriteDecoderTest, RefusesBodiesOverTheLimit) {
  EXPECT_EQ(DecodeRemoteWrite(Compressed(Sample()), "d", 10).status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace periscope
