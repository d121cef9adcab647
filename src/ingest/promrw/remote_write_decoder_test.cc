#include "ingest/promrw/remote_write_decoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <map>
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

TEST(RemoteWriteDecoderTest, MetadataOnlyRequestsGiveTheKindsOfTheirFamiliesNames) {
  prometheus::WriteRequest req;
  for (auto [family, type] : {std::pair{"temperature", prometheus::MetricMetadata::GAUGE},
                              {"http_requests", prometheus::MetricMetadata::COUNTER},
                              {"latency", prometheus::MetricMetadata::HISTOGRAM}}) {
    auto* md = req.add_metadata();
    md->set_metric_family_name(family);
    md->set_type(type);
  }
  auto d = DecodeRemoteWrite(Compressed(req), "t1", 1 << 20);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->batch.series.empty());
  std::map<std::string, MetricKind> kinds(d->name_kinds.begin(), d->name_kinds.end());
  EXPECT_EQ(kinds["temperature"], MetricKind::kGauge);
  EXPECT_EQ(kinds["http_requests_total"], MetricKind::kCounter);
  EXPECT_EQ(kinds["latency_bucket"], MetricKind::kCounter);
  EXPECT_EQ(kinds["latency_sum"], MetricKind::kCounter);
  EXPECT_EQ(kinds.count("temperature_bucket"), 1u) << "every suffix of a family is listed";
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

namespace periscope {
namespace {

void AddSeries(prometheus::WriteRequest& req,
               std::initializer_list<std::pair<const char*, const char*>> labels, double value) {
  auto* ts = req.add_timeseries();
  for (auto [k, v] : labels) {
    auto* l = ts->add_labels();
    l->set_name(k);
    l->set_value(v);
  }
  auto* s = ts->add_samples();
  s->set_timestamp(1700000000000);
  s->set_value(value);
}

// A resolver over a map of raw label bytes, counting its calls.
struct MapResolver {
  std::map<std::string, uint32_t, std::less<>> known;
  int calls = 0;
  RemoteWriteSeriesResolver Fn() {
    return [this](std::string_view raw) {
      ++calls;
      auto it = known.find(raw);
      return it == known.end() ? kUnresolvedSeries : it->second;
    };
  }
};

TEST(RemoteWriteDecoderTest, ResolverSkipsLabelsOnlyForBytesSeenBefore) {
  prometheus::WriteRequest req;
  AddSeries(req, {{"__name__", "up"}, {"instance", "a"}, {"job", "node"}}, 1);
  AddSeries(req, {{"job", "node"}, {"__name__", "up"}, {"instance", "a"}}, 2);  // same, reordered
  AddSeries(req, {{"__name__", "up"}, {"instance", "b"}, {"job", "node"}}, 3);
  MapResolver map;
  const RemoteWriteSeriesResolver fn = map.Fn();
  auto first = DecodeRemoteWrite(Compressed(req), "t", 1 << 20, &fn);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->ordinals, (std::vector<uint32_t>(3, kUnresolvedSeries)));
  ASSERT_EQ(first->keys.size(), 3u);
  EXPECT_EQ(map.calls, 3);
  const auto plain = DecodeRemoteWrite(Compressed(req), "t", 1 << 20);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(first->batch.series, plain->batch.series);
  EXPECT_TRUE(plain->ordinals.empty());
  // The reordered series has other bytes (its own key) but the same normalized labels.
  EXPECT_NE(first->key(0), first->key(1));
  EXPECT_EQ(first->batch.series[0].labels, first->batch.series[1].labels);
  // The key is the label fields as sent: a Label message parse of it gives the labels back.
  prometheus::TimeSeries only_labels;
  ASSERT_TRUE(only_labels.ParseFromString(std::string(first->key(2))));
  EXPECT_EQ(only_labels.labels_size(), 3);
  EXPECT_EQ(only_labels.labels(1).value(), "b");

  map.known[std::string(first->key(0))] = 41;
  auto second = DecodeRemoteWrite(Compressed(req), "t", 1 << 20, &fn);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ordinals, (std::vector<uint32_t>{41, kUnresolvedSeries, kUnresolvedSeries}));
  EXPECT_TRUE(second->batch.series[0].labels.empty());
  EXPECT_EQ(second->batch.series[0].values, std::vector<double>{1});
  EXPECT_EQ(second->batch.series[1].labels, plain->batch.series[1].labels);
  EXPECT_EQ(second->batch.series[2], plain->batch.series[2]);
}

TEST(RemoteWriteDecoderTest, ResolverIsNotAskedWithMetadataOrSplitLabels) {
  MapResolver map;
  const RemoteWriteSeriesResolver fn = map.Fn();
  auto with_metadata = DecodeRemoteWrite(Compressed(Sample()), "t", 1 << 20, &fn);
  ASSERT_TRUE(with_metadata.ok());
  EXPECT_EQ(map.calls, 0);
  EXPECT_TRUE(with_metadata->ordinals.empty());

  // Labels, a sample, then another label: the label bytes are not one run, so no key.
  prometheus::TimeSeries ts;
  auto* l = ts.add_labels();
  l->set_name("__name__");
  l->set_value("up");
  std::string split = ts.SerializeAsString();
  prometheus::TimeSeries samples, more_labels;
  samples.add_samples()->set_value(1);
  auto* l2 = more_labels.add_labels();
  l2->set_name("job");
  l2->set_value("x");
  // Fields of one message may come in any order (libprotobuf writes them in field order).
  split += samples.SerializeAsString() + more_labels.SerializeAsString();
  std::string request;
  request.push_back(0x0a);
  request.push_back(static_cast<char>(split.size()));
  request += split;
  std::string body;
  snappy::Compress(request.data(), request.size(), &body);
  auto d = DecodeRemoteWrite(body, "t", 1 << 20, &fn);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->keys.size(), 1u);
  EXPECT_EQ(d->keys[0].size, 0u);
  EXPECT_EQ(map.calls, 0);
  EXPECT_EQ(d->batch.series[0].labels, (Labels{{"__name__", "up"}, {"job", "x"}}));
}

TEST(RemoteWriteDecoderTest, ResolvedAndPlainDecodesAgreeOnMangledRequests) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 6; ++i) {
    const std::string instance = "host-" + std::to_string(i);
    AddSeries(req, {{"__name__", "node_load1"}, {"instance", instance.c_str()}}, i);
  }
  const std::string good = req.SerializeAsString();
  auto base = DecodeRemoteWriteProto(good, "t");
  ASSERT_TRUE(base.ok());
  // Every key of the good request is known (as ordinal = series index).
  MapResolver map;
  const RemoteWriteSeriesResolver fn = map.Fn();
  std::string body;
  snappy::Compress(good.data(), good.size(), &body);
  auto keyed = DecodeRemoteWrite(body, "t", 1 << 20, &fn);
  ASSERT_TRUE(keyed.ok());
  for (size_t i = 0; i < keyed->keys.size(); ++i) map.known[std::string(keyed->key(i))] = i;
  std::mt19937 rng(11);
  int resolved = 0, refused = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = good;
    const size_t at = rng() % bytes.size();
    bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
    std::string compressed;
    snappy::Compress(bytes.data(), bytes.size(), &compressed);
    auto plain = DecodeRemoteWriteProto(bytes, "t");
    auto with = DecodeRemoteWrite(compressed, "t", 1 << 20, &fn);
    ASSERT_EQ(plain.ok(), with.ok()) << "round " << round;
    if (!plain.ok()) {
      ++refused;
      continue;
    }
    ASSERT_EQ(plain->batch.series.size(), with->batch.series.size()) << "round " << round;
    for (size_t i = 0; i < with->batch.series.size(); ++i) {
      const MetricSeries& w = with->batch.series[i];
      const MetricSeries& p = plain->batch.series[i];
      EXPECT_EQ(w.time_ms, p.time_ms);
      EXPECT_EQ(w.values, p.values);
      if (with->ordinals[i] == kUnresolvedSeries) {
        EXPECT_EQ(w.labels, p.labels) << "round " << round;
      } else {
        // A resolved series has the labels of the series it resolved to.
        ++resolved;
        EXPECT_EQ(p.labels, base->batch.series[with->ordinals[i]].labels) << "round " << round;
      }
    }
  }
  EXPECT_GT(resolved, 1000);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace periscope
