#include "ingest/otlp/log_proto_decoder.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

namespace periscope {
namespace {

namespace pb = opentelemetry::proto::collector::logs::v1;
namespace pb_logs = opentelemetry::proto::logs::v1;
namespace pb_common = opentelemetry::proto::common::v1;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

// --- comparison against the generated-class decoder ---

template <typename T>
bool SameColumn(const std::vector<T>& a, const std::vector<T>& b) {
  return a == b;
}

// "" when the batches are equal, else the first differing column.
std::string BatchDiff(const LogBatch& a, const LogBatch& b) {
#define PERISCOPE_COMPARE(col) \
  if (!SameColumn(a.col, b.col)) return #col;
  if (a.tenant != b.tenant) return "tenant";
  PERISCOPE_COMPARE(resources)
  PERISCOPE_COMPARE(scopes)
  PERISCOPE_COMPARE(resource_index)
  PERISCOPE_COMPARE(scope_index)
  PERISCOPE_COMPARE(time_ns)
  PERISCOPE_COMPARE(observed_time_ns)
  PERISCOPE_COMPARE(severity_number)
  PERISCOPE_COMPARE(severity_text)
  PERISCOPE_COMPARE(body)
  PERISCOPE_COMPARE(trace_id)
  PERISCOPE_COMPARE(span_id)
  PERISCOPE_COMPARE(flags)
  PERISCOPE_COMPARE(event_name)
  PERISCOPE_COMPARE(attributes)
  PERISCOPE_COMPARE(dropped_attributes_count)
#undef PERISCOPE_COMPARE
  return {};
}

// How the wire decoder did on one body, compared with the generated-class decoder.
enum class Verdict { kSame, kBothRejected, kWireStricter };

// Fails the test when the wire decoder accepts what the reference refuses or decodes it
// differently (batch, rejections, message, or what its WAL payload decodes to).
Verdict Compare(std::string_view body, int64_t now = kNow) {
  auto want = DecodeLogsProtobufWithMessages(body, "t", now);
  DecodedLogs got;
  const LogsWireOutcome outcome = DecodeLogsWire(body, "t", now, &got);
  if (outcome == LogsWireOutcome::kMalformed) {
    return want.ok() ? Verdict::kWireStricter : Verdict::kBothRejected;
  }
  if (!want.ok()) {
    ADD_FAILURE() << "wire decoder accepted a body the reference refuses: "
                  << want.status().ToString();
    return Verdict::kSame;
  }
  EXPECT_EQ(BatchDiff(got.batch, want->batch), "");
  EXPECT_EQ(got.rejected_records, want->rejected_records);
  EXPECT_EQ(got.error_message, want->error_message);
  EXPECT_TRUE(got.batch.IsConsistent());
  const bool unchanged = want->wal_payload == body;
  EXPECT_EQ(outcome == LogsWireOutcome::kBodyUnchanged, unchanged);
  if (outcome == LogsWireOutcome::kPayloadRebuilt) {
    auto replay_got = DecodeLogsProtobufWithMessages(got.wal_payload, "t", now + 1);
    auto replay_want = DecodeLogsProtobufWithMessages(want->wal_payload, "t", now + 1);
    EXPECT_TRUE(replay_got.ok() && replay_want.ok());
    if (replay_got.ok() && replay_want.ok()) {
      EXPECT_EQ(BatchDiff(replay_got->batch, replay_want->batch), "");
      EXPECT_EQ(BatchDiff(replay_got->batch, got.batch), "");
      EXPECT_EQ(replay_got->rejected_records, 0);
    }
  }
  return Verdict::kSame;
}

// Valid bodies must take the wire path and agree with the reference.
void ExpectSame(std::string_view body, int64_t now = kNow) {
  EXPECT_EQ(Compare(body, now), Verdict::kSame);
}

// --- fixtures ---

void SetString(pb_common::KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

pb::ExportLogsServiceRequest SampleRequest() {
  pb::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  SetString(rl->mutable_resource()->add_attributes(), "service.name", "checkout");
  SetString(rl->mutable_resource()->add_attributes(), "deployment.environment.name", "prod");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("app");
  for (int i = 0; i < 3; ++i) {
    auto* rec = sl->add_log_records();
    rec->set_time_unix_nano(1000 + i);
    rec->set_observed_time_unix_nano(2000 + i);
    rec->set_severity_number(pb_logs::SEVERITY_NUMBER_ERROR);
    rec->set_severity_text("ERROR");
    rec->mutable_body()->set_string_value("payment failed for order " + std::to_string(i));
    rec->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    rec->set_span_id(std::string(8, static_cast<char>(i + 1)));
    auto* a = rec->add_attributes();
    a->set_key("http.status_code");
    a->mutable_value()->set_int_value(500);
  }
  return req;
}

// Every field and value kind, shared and repeated resources and scopes, rejected and stamped
// records, a resource whose records are all rejected and a scope without records.
pb::ExportLogsServiceRequest RichRequest() {
  pb::ExportLogsServiceRequest req;
  for (int r = 0; r < 4; ++r) {
    auto* rl = req.add_resource_logs();
    rl->set_schema_url(r == 1 ? "https://opentelemetry.io/schemas/1.24.0" : "");
    auto* res = rl->mutable_resource();
    SetString(res->add_attributes(), "service.name", r == 2 ? "cart" : "checkout");
    SetString(res->add_attributes(), "service.version", "1.2.3");
    SetString(res->add_attributes(), "host.name", "h" + std::to_string(r % 2));
    res->set_dropped_attributes_count(static_cast<uint32_t>(r));
    auto* ref = res->add_entity_refs();
    ref->set_type("service");
    ref->add_id_keys("service.name");
    for (int s = 0; s < 3; ++s) {
      auto* sl = rl->add_scope_logs();
      sl->mutable_scope()->set_name(s == 0 ? "io.app" : "io.lib");
      sl->mutable_scope()->set_version("v" + std::to_string(s));
      if (s == 1) {
        auto* a = sl->mutable_scope()->add_attributes();
        a->set_key("scope.attr");
        a->mutable_value()->set_bool_value(true);
      }
      sl->set_schema_url(s == 2 ? "https://example.com/s" : "");
      if (s == 2 && r == 0) continue;  // a scope without records
      for (int k = 0; k < 9; ++k) {
        auto* rec = sl->add_log_records();
        rec->set_time_unix_nano(k == 4 ? 0 : 1'700'000'000'000'000'000ull + k);
        rec->set_observed_time_unix_nano(k == 4 || k == 5 ? 0 : 1'700'000'000'000'001'000ull);
        rec->set_severity_number(static_cast<pb_logs::SeverityNumber>(k * 3 % 25));
        rec->set_severity_text(k % 2 ? "WARN" : "");
        rec->set_event_name(k == 3 ? "order.placed" : "");
        rec->set_flags(static_cast<uint32_t>(k));
        rec->set_dropped_attributes_count(static_cast<uint32_t>(k % 3));
        if (k % 3 == 0) {
          rec->set_trace_id(std::string(16, static_cast<char>(0x10 + k)));
          rec->set_span_id(std::string(8, static_cast<char>(0x20 + k)));
        }
        auto* body = rec->mutable_body();
        switch (k) {
          case 0:
            body->set_string_value("plain \"quoted\" line\twith\ncontrol \x01 chars and é");
            break;
          case 1:
            body->set_int_value(-42);
            break;
          case 2:
            body->set_double_value(k == 2 ? std::nan("") : 0.5);
            break;
          case 3: {
            auto* kvs = body->mutable_kvlist_value();
            SetString(kvs->add_values(), "msg", "hi");
            auto* nested = kvs->add_values();
            nested->set_key("list");
            auto* arr = nested->mutable_value()->mutable_array_value();
            arr->add_values()->set_double_value(std::numeric_limits<double>::infinity());
            arr->add_values()->set_bytes_value(std::string("\0\xff\x10", 3));
            arr->add_values();  // unset value: null
            arr->add_values()->set_bool_value(false);
            arr->add_values()->set_double_value(1e300);
            kvs->add_values()->set_key("unset");
            break;
          }
          case 4:
            body->set_bytes_value("raw");
            break;
          case 5:
            rec->clear_body();
            break;
          case 6:
            body->mutable_array_value();  // empty array
            break;
          default:
            body->set_string_value("record " + std::to_string(k));
        }
        auto* a = rec->add_attributes();
        a->set_key("code.lineno");
        a->mutable_value()->set_int_value(k * 10);
        auto* d = rec->add_attributes();
        d->set_key("ratio");
        d->mutable_value()->set_double_value(-0.0);
        if (k == 7) {
          SetString(rec->add_attributes(), "dup", "a");
          SetString(rec->add_attributes(), "dup", "b");
        }
        // Rejections: a bad trace id in resource 1, a bad span id and a time past int64 in
        // resource 2, and every record of resource 3.
        if ((r == 1 && k == 2) || r == 3) rec->set_trace_id("short");
        if (r == 2 && k == 6) rec->set_span_id(std::string(9, 'x'));
        if (r == 2 && k == 8) rec->set_time_unix_nano(static_cast<uint64_t>(INT64_MAX) + 1);
      }
    }
  }
  return req;
}

// A Loghub sample file turned into requests shaped like the load generator's: one resource
// (service.name, host.name, deployment.environment.name), scope "loghub-replay", records with a
// time, the line's severity, the line as string body and ids on every fifth line.
std::vector<std::string> LoghubRequests(size_t max_lines_per_file, size_t per_request) {
  std::vector<std::string> out;
  const std::filesystem::path dir =
      std::filesystem::path(PERISCOPE_SOURCE_DIR) / ".." / "shared" / "data" / "loghub";
  if (!std::filesystem::is_directory(dir)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  uint64_t line_no = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    pb::ExportLogsServiceRequest req;
    pb_logs::ScopeLogs* sl = nullptr;
    size_t lines = 0;
    while (lines < max_lines_per_file && std::getline(in, line)) {
      if (line.empty()) continue;
      for (char& c : line) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
      }
      if (sl == nullptr) {
        auto* rl = req.add_resource_logs();
        auto* res = rl->mutable_resource();
        SetString(res->add_attributes(), "service.name", file.stem().string());
        SetString(res->add_attributes(), "host.name", "host-1");
        SetString(res->add_attributes(), "deployment.environment.name", "bench");
        sl = rl->add_scope_logs();
        sl->mutable_scope()->set_name("loghub-replay");
      }
      auto* rec = sl->add_log_records();
      rec->set_time_unix_nano(1'700'000'000'000'000'000ull + 100'000 * line_no);
      const bool error = line.find("ERROR") != std::string::npos;
      if (error || line.find("INFO") != std::string::npos) {
        rec->set_severity_number(error ? pb_logs::SEVERITY_NUMBER_ERROR
                                       : pb_logs::SEVERITY_NUMBER_INFO);
        rec->set_severity_text(error ? "ERROR" : "INFO");
      }
      rec->mutable_body()->set_string_value(line);
      if (line_no % 5 == 0) {
        rec->set_trace_id(std::string(16, static_cast<char>(line_no)));
        rec->set_span_id(std::string(8, static_cast<char>(line_no + 1)));
      }
      ++line_no;
      ++lines;
      if (static_cast<size_t>(sl->log_records_size()) == per_request) {
        out.push_back(req.SerializeAsString());
        req.Clear();
        sl = nullptr;
      }
    }
    if (sl != nullptr) out.push_back(req.SerializeAsString());
  }
  return out;
}

// --- hand-written wire bytes ---

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::string Field(uint32_t field, std::string_view payload) {
  std::string out;
  PutVarint(field << 3 | 2, &out);
  PutVarint(payload.size(), &out);
  out.append(payload);
  return out;
}

std::string VarintField(uint32_t field, uint64_t v) {
  std::string out;
  PutVarint(field << 3, &out);
  PutVarint(v, &out);
  return out;
}

std::string Fixed64Field(uint32_t field, uint64_t v) {
  std::string out;
  PutVarint(field << 3 | 1, &out);
  out.append(reinterpret_cast<const char*>(&v), 8);
  return out;
}

// A request of one resource, one scope and the given LogRecord bytes.
std::string Wrap(const std::vector<std::string>& records, std::string resource = "",
                 std::string scope = "") {
  std::string sl = scope;
  for (const auto& r : records) sl += Field(2, r);
  return Field(1, resource + Field(2, sl));
}

// --- tests ---

TEST(LogProtoDecoderTest, MatchesReferenceOnSampleAndRichRequests) {
  ExpectSame(SampleRequest().SerializeAsString());
  const std::string rich = RichRequest().SerializeAsString();
  ExpectSame(rich);
  DecodedLogs got;
  ASSERT_EQ(DecodeLogsWire(rich, "", kNow, &got), LogsWireOutcome::kPayloadRebuilt);
  EXPECT_EQ(got.batch.tenant, "default");
  // 4 resources x (3 or 2 scopes) x 9 records; resource 3 is rejected entirely.
  EXPECT_EQ(got.rejected_records, 3 + 6 + 27);
  EXPECT_EQ(got.batch.size(), 18u + 24 + 21);
  EXPECT_EQ(got.batch.resources.size(), 3u);  // resource 3 never interned
  ExpectSame(pb::ExportLogsServiceRequest().SerializeAsString());
}

TEST(LogProtoDecoderTest, MatchesReferenceOnLoghubRequests) {
  const auto bodies = LoghubRequests(2000, 1000);
  ASSERT_GE(bodies.size(), 10u) << "Loghub samples expected in ../shared/data/loghub";
  size_t lines = 0;
  for (const auto& body : bodies) {
    ExpectSame(body);
    DecodedLogs got;
    ASSERT_EQ(DecodeLogsWire(body, "", kNow, &got), LogsWireOutcome::kBodyUnchanged);
    lines += got.batch.size();
  }
  EXPECT_GT(lines, 10'000u);
}

TEST(LogProtoDecoderTest, MergesRepeatedSingularFieldsAndOneofsLikeLibprotobuf) {
  const std::string kv_a = Field(1, "a") + Field(2, Field(1, "x"));
  const std::string kv_b = Field(1, "b") + Field(2, VarintField(3, 7));
  const std::vector<std::string> records = {
      // body twice: the string is replaced by the int
      Fixed64Field(1, 5) + Field(5, Field(1, "first")) + Field(5, VarintField(3, 9)),
      // kvlist twice in a row merges; then a scalar replaces it; then a new array
      Fixed64Field(1, 6) + Field(5, Field(6, Field(1, kv_a))) + Field(5, Field(6, Field(1, kv_b))),
      Fixed64Field(1, 7) + Field(5, Field(6, Field(1, kv_a)) + VarintField(2, 1) +
                                        Field(5, Field(1, VarintField(2, 0)))),
      // scalars: last wins, explicit zero included; 10-byte varint severity; oversized uint32
      Fixed64Field(1, 8) + Fixed64Field(1, 0) + Fixed64Field(11, 3) + VarintField(2, ~0ull) +
          VarintField(7, 0x1'0000'0005ull) + Field(3, "x") + Field(3, "y"),
      // known fields with the wrong wire type are unknown fields
      VarintField(1, 5) + VarintField(11, 4) + VarintField(3, 1) + Field(2, "zz") +
          Field(9, std::string(16, 'a')),
      // a KeyValue whose value appears twice merges into one AnyValue
      Fixed64Field(1, 9) +
          Field(6, Field(1, "k") + Field(2, Field(5, Field(1, Field(1, "p")))) + Field(1, "k2") +
                       Field(2, Field(5, Field(1, Fixed64Field(4, 0))))),
  };
  // resource twice (attributes concatenate, dropped count last wins), unknown fields of every
  // wire type around, a group, a non-minimal tag.
  const std::string res1 =
      Field(1, Field(1, "service.name") + Field(2, Field(1, "svc"))) + VarintField(2, 4);
  const std::string res2 = Field(1, Field(1, "host.name") + Field(2, Field(1, "h"))) +
                           VarintField(2, 0) + VarintField(99, 1);
  const std::string group = std::string("\xa3\x06", 2) + VarintField(1, 1) +  // field 100 start
                            std::string("\x0b") + std::string("\x0c") +       // field 1 in, out
                            std::string("\xa4\x06", 2);                       // field 100 end
  std::string sl;
  sl += Field(1, Field(1, "scope") + Field(2, "v1"));
  for (const auto& r : records) sl += Field(2, r);
  sl += Field(1, Field(2, "v2") + group);
  sl += Fixed64Field(40, 1) + std::string("\x8d\x02", 2) + std::string(4, '\0');  // fixed32 #33
  std::string rl = Field(1, res1) + Field(2, sl) + Field(1, res2) + Field(3, "schema");
  const std::string body = VarintField(7, 1) + Field(1, rl) + group + Field(1, rl);
  ExpectSame(body);
  DecodedLogs got;
  ASSERT_EQ(DecodeLogsWire(body, "", kNow, &got), LogsWireOutcome::kPayloadRebuilt);
  ASSERT_EQ(got.batch.size(), 12u);
  EXPECT_EQ(got.batch.body[0].type, ValueType::kInt);
  EXPECT_EQ(got.batch.body[1].str, R"({"a":"x","b":7})");
  EXPECT_EQ(got.batch.body[2].str, "[false]");
  EXPECT_EQ(got.batch.severity_number[3], -1);
  EXPECT_EQ(got.batch.severity_text[3], "y");
  EXPECT_EQ(got.batch.dropped_attributes_count[3], 5u);
  EXPECT_EQ(got.batch.time_ns[4], kNow);  // stamped: its time fields had the wrong wire type
  EXPECT_EQ(got.batch.attributes[5][0].value.str, "[\"p\",0]");
  EXPECT_EQ(got.batch.resources.size(), 1u);
  EXPECT_EQ(got.batch.resources[0].attributes.size(), 2u);
  EXPECT_EQ(got.batch.resources[0].dropped_attributes_count, 0u);
  EXPECT_EQ(got.batch.scopes[0].version, "v2");

  std::string non_minimal = std::string("\x8a\x00", 2);
  PutVarint(rl.size(), &non_minimal);
  ExpectSame(non_minimal + rl);
}

TEST(LogProtoDecoderTest, RefusesWhatLibprotobufRefuses) {
  google::protobuf::LogSilencer quiet;
  const std::string ok_record = Fixed64Field(1, 5) + Field(5, Field(1, "x"));
  const std::string bad_utf8 = "\xc3\x28";
  const std::vector<std::string> bodies = {
      Wrap({ok_record + Field(3, bad_utf8)}),                          // severity_text
      Wrap({ok_record + Field(12, bad_utf8)}),                         // event_name
      Wrap({Field(5, Field(1, bad_utf8))}),                            // body string
      Wrap({Field(6, Field(1, bad_utf8))}),                            // attribute key
      Wrap({ok_record}, Field(1, Field(3, Field(2, bad_utf8)))),       // entity ref type
      Wrap({ok_record}, "", Field(1, Field(1, bad_utf8))),             // scope name
      Wrap({ok_record}, Field(3, bad_utf8)),                           // resource schema
      Wrap({Field(5, Field(5, Field(1, Field(1, "\xed\xa0\x80"))))}),  // surrogate, nested
      Wrap({ok_record + std::string("\x0c")}),                         // stray end group
      Wrap({ok_record + std::string("\x00", 1)}),                      // tag 0
      Wrap({ok_record + std::string("\x0e")}),                         // wire type 6
      Wrap({ok_record + std::string("\x0b\x10\x01")}),                 // unterminated group
      Wrap({ok_record + std::string("\xa3\x06\xac\x06", 4)}),          // group end mismatch
      Wrap({ok_record + VarintField(2, 1).substr(0, 1) + std::string(11, '\x80')}),  // varint
      Wrap({ok_record + std::string("\x1a\x85\x80\x80\x80\x80\x00", 7) + "abcde"}),  // 6-byte len
      std::string("\x0a\x05\x12\x03", 4),  // truncated nesting
      std::string("\x0a\xff\xff", 3),
  };
  for (size_t i = 0; i < bodies.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(Compare(bodies[i]), Verdict::kBothRejected);
    auto decoded = DecodeLogsProtobuf(bodies[i], "", kNow);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(decoded.status().message().find("ExportLogsServiceRequest"), std::string::npos);
  }
}

TEST(LogProtoDecoderTest, NestingLimitMatchesLibprotobuf) {
  // body at level 4; each array level adds two (ArrayValue, AnyValue).
  for (int levels = 44; levels <= 50; ++levels) {
    std::string any = Field(1, "leaf");
    for (int i = 0; i < levels; ++i) any = Field(5, Field(1, any));
    const std::string body = Wrap({Fixed64Field(1, 1) + Field(5, any)});
    SCOPED_TRACE(levels);
    const Verdict v = Compare(body);
    EXPECT_NE(v, Verdict::kWireStricter);
    EXPECT_EQ(v == Verdict::kSame, levels <= 48);  // the leaf AnyValue at level 4 + 2 * levels
  }
  // Unknown groups count as levels too.
  for (int levels = 95; levels <= 99; ++levels) {
    std::string group;
    for (int i = 0; i < levels; ++i) group = "\x0b" + group + "\x0c";
    SCOPED_TRACE(levels);
    EXPECT_NE(Compare(Wrap({Fixed64Field(1, 1) + group})), Verdict::kWireStricter);
  }
}

TEST(LogProtoDecoderTest, StampsAndRejectsIntoARebuiltPayload) {
  auto req = SampleRequest();
  auto* recs = req.mutable_resource_logs(0)->mutable_scope_logs(0);
  recs->mutable_log_records(0)->clear_time_unix_nano();
  recs->mutable_log_records(0)->clear_observed_time_unix_nano();
  recs->mutable_log_records(1)->set_span_id("bad");
  const std::string body = req.SerializeAsString();
  DecodedLogs got;
  ASSERT_EQ(DecodeLogsWire(body, "", kNow, &got), LogsWireOutcome::kPayloadRebuilt);
  EXPECT_EQ(got.rejected_records, 1);
  EXPECT_EQ(got.error_message,
            "resourceLogs[0].scopeLogs[0].logRecords[1]: spanId is 3 bytes, want 0 or 8");
  pb::ExportLogsServiceRequest payload;
  ASSERT_TRUE(payload.ParseFromString(got.wal_payload));
  ASSERT_EQ(payload.resource_logs(0).scope_logs(0).log_records_size(), 2);
  EXPECT_EQ(payload.resource_logs(0).scope_logs(0).log_records(0).observed_time_unix_nano(),
            static_cast<uint64_t>(kNow));
  ExpectSame(body);

  // Every record rejected: nothing is left of the resource.
  recs->mutable_log_records(0)->set_trace_id("x");
  recs->mutable_log_records(2)->set_trace_id("x");
  DecodedLogs none;
  ASSERT_EQ(DecodeLogsWire(req.SerializeAsString(), "", kNow, &none),
            LogsWireOutcome::kPayloadRebuilt);
  EXPECT_TRUE(none.batch.empty());
  EXPECT_TRUE(none.batch.resources.empty());
  ASSERT_TRUE(payload.ParseFromString(none.wal_payload));
  EXPECT_EQ(payload.resource_logs_size(), 0);
}

TEST(LogProtoDecoderTest, BodyVariantMovesTheBodyIntoTheWalPayload) {
  std::string body = LoghubRequests(50, 50).at(0);
  const std::string copy = body;
  const char* data = body.data();
  auto decoded = DecodeLogsProtobufBody(std::move(body), "", kNow);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->wal_payload, copy);
  EXPECT_EQ(decoded->wal_payload.data(), data);
  EXPECT_EQ(decoded->batch.size(), 50u);
  auto bad = DecodeLogsProtobufBody(std::string("\x0a\xff\xff"), "", kNow);
  EXPECT_FALSE(bad.ok());
}

// Random truncations, byte flips, insertions and deletions of valid bodies never crash the wire
// decoder, and it either refuses the result or decodes it exactly as the reference does.
TEST(LogProtoDecoderTest, FuzzedBodiesAreRefusedOrDecodedLikeTheReference) {
  std::vector<std::string> seeds = {SampleRequest().SerializeAsString(),
                                    RichRequest().SerializeAsString()};
  for (auto& b : LoghubRequests(6, 6)) seeds.push_back(std::move(b));
  google::protobuf::LogSilencer quiet;  // the reference logs every invalid UTF-8 string
  std::mt19937_64 rng(20261126);
  int same = 0, rejected = 0, stricter = 0;
  for (int iter = 0; iter < 12000; ++iter) {
    std::string body = seeds[iter % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations && !body.empty(); ++m) {
      const size_t pos = rng() % body.size();
      switch (rng() % 5) {
        case 0:
          body.resize(pos);
          break;
        case 1:
          body[pos] = static_cast<char>(rng());
          break;
        case 2:
          body[pos] = static_cast<char>(body[pos] ^ (1 << (rng() % 8)));
          break;
        case 3:
          body.insert(pos, 1, static_cast<char>(rng()));
          break;
        default:
          body.erase(pos, 1 + rng() % 4);
      }
    }
    switch (Compare(body, kNow)) {
      case Verdict::kSame:
        ++same;
        break;
      case Verdict::kBothRejected:
        ++rejected;
        break;
      case Verdict::kWireStricter:
        ++stricter;
        break;
    }
    if (HasFailure()) {
      ADD_FAILURE() << "iteration " << iter;
      return;
    }
  }
  // Both outcomes must have been exercised, and the fallback path must stay rare.
  EXPECT_GT(same, 1000);
  EXPECT_GT(rejected, 1000);
  EXPECT_LT(stricter, same / 100 + 1) << same << " same, " << stricter << " stricter";
  RecordProperty("same", same);
  RecordProperty("both_rejected", rejected);
  RecordProperty("wire_stricter", stricter);
}

}  // namespace
}  // namespace periscope
