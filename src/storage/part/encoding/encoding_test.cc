#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/chunk.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"
#include "storage/part/encoding/value_column.h"

namespace periscope::part {
namespace {

std::vector<AnyValue> EveryValueKind() {
  return {AnyValue{},
          AnyValue::String(""),
          AnyValue::String("plain"),
          AnyValue::String("unicode: żółć 日本語 🚀"),
          AnyValue::String(std::string(100000, 'x')),
          AnyValue::Bool(true),
          AnyValue::Bool(false),
          AnyValue::Int(0),
          AnyValue::Int(std::numeric_limits<int64_t>::min()),
          AnyValue::Int(std::numeric_limits<int64_t>::max()),
          AnyValue::Double(0.1),
          AnyValue::Double(-0.0),
          AnyValue::Double(std::nan("")),
          AnyValue::Double(std::numeric_limits<double>::infinity()),
          AnyValue::Bytes(std::string("\0a\0b\xff", 5)),
          AnyValue::Bytes(""),
          AnyValue{ValueType::kArray, 0, 0, "[1,\"a\"]"},
          AnyValue{ValueType::kKvList, 0, 0, "{\"k\":\"v\"}"}};
}

TEST(EncodingTest, StringColumnRoundTripsPlainAndDictionary) {
  for (bool repetitive : {false, true}) {
    std::vector<std::string> values;
    for (int i = 0; i < 1000; ++i) {
      values.push_back(repetitive ? "v" + std::to_string(i % 3) : "v" + std::to_string(i));
    }
    values.push_back("");
    values.push_back(std::string("\0nul\0", 5));
    StringColumnWriter w;
    for (const auto& v : values) w.Add(v);
    std::string enc;
    w.Finish(&enc);
    EXPECT_EQ(enc[0], repetitive ? 1 : 0);
    Decoder in(enc);
    std::vector<std::string_view> out;
    ASSERT_TRUE(DecodeStringColumn(&in, values.size(), &out).ok());
    EXPECT_EQ(std::vector<std::string>(out.begin(), out.end()), values);
    EXPECT_TRUE(in.empty());
  }
}

TEST(EncodingTest, StringColumnRejectsBadCodeAndTruncation) {
  StringColumnWriter w;
  for (int i = 0; i < 10; ++i) w.Add("same");
  std::string enc;
  w.Finish(&enc);
  std::string bad = enc;
  bad.back() = 5;  // code past the dictionary
  std::vector<std::string_view> out;
  Decoder in(bad);
  EXPECT_EQ(DecodeStringColumn(&in, 10, &out).code(), StatusCode::kCorruption);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    Decoder t(std::string_view(enc).substr(0, cut));
    EXPECT_FALSE(DecodeStringColumn(&t, 10, &out).ok()) << cut;
  }
}

TEST(EncodingTest, ValueColumnRoundTripsEveryAnyValueType) {
  std::vector<AnyValue> values = EveryValueKind();
  ValueColumnWriter w;
  for (const auto& v : values) w.Add(v);
  std::string enc;
  w.Finish(&enc);
  Decoder in(enc);
  ValueColumnReader r;
  ASSERT_TRUE(r.Init(&in).ok());
  ASSERT_EQ(r.size(), values.size());
  for (const auto& v : values) {
    AnyValue got;
    ASSERT_TRUE(r.Next(&got).ok());
    EXPECT_EQ(got, v) << v.ToString();
    EXPECT_EQ(got.type, v.type);
    if (v.type == ValueType::kDouble) {
      EXPECT_EQ(std::signbit(got.double_value), std::signbit(v.double_value));
    }
  }
  AnyValue extra;
  EXPECT_EQ(r.Next(&extra).code(), StatusCode::kCorruption);
}

TEST(EncodingTest, ValueColumnRejectsUnknownTypeTag) {
  ValueColumnWriter w;
  w.Add(AnyValue::Int(1));
  std::string enc;
  w.Finish(&enc);
  enc[1] = 42;  // the type tag of the only value
  Decoder in(enc);
  ValueColumnReader r;
  EXPECT_EQ(r.Init(&in).code(), StatusCode::kCorruption);
}

TEST(EncodingTest, AttributesRoundTripOrderDuplicatesAndDedicatedColumns) {
  std::vector<Attributes> lists;
  for (int i = 0; i < 200; ++i) {
    Attributes a = {{"http.method", AnyValue::String(i % 2 ? "GET" : "POST")},
                    {"user.id", AnyValue::String("u" + std::to_string(i))},
                    {"rows", AnyValue::Int(i)}};
    if (i % 7 == 0) a.push_back({"rare", AnyValue::Double(i * 0.5)});
    if (i % 11 == 0) std::swap(a[0], a[2]);
    if (i % 13 == 0) a.push_back({"rows", AnyValue::String("duplicate key")});
    if (i % 17 == 0) a.clear();
    lists.push_back(a);
  }
  for (const auto& v : EveryValueKind()) lists.push_back({{"mixed", v}, {"", v}});
  AttributesWriter w;
  for (const auto& a : lists) w.Add(&a);
  std::vector<std::string> chunks = w.Finish(2);
  ASSERT_EQ(chunks.size(), 4u);  // keys, shared, two dedicated
  std::vector<std::string_view> dedicated(chunks.begin() + 2, chunks.end());
  std::vector<Attributes> out;
  ASSERT_TRUE(DecodeAttributes(chunks[0], chunks[1], dedicated, lists.size(), &out).ok());
  EXPECT_EQ(out, lists);

  std::string packed = w.FinishPacked();
  ASSERT_TRUE(DecodeAttributesPacked(packed, lists.size(), &out).ok());
  EXPECT_EQ(out, lists);
  dedicated.pop_back();
  EXPECT_EQ(DecodeAttributes(chunks[0], chunks[1], dedicated, lists.size(), &out).code(),
            StatusCode::kCorruption);
}

TEST(EncodingTest, AttributesRejectTruncatedInput) {
  std::vector<Attributes> lists(50,
                                Attributes{{"k", AnyValue::Int(3)}, {"s", AnyValue::String("v")}});
  AttributesWriter w;
  for (const auto& a : lists) w.Add(&a);
  std::string packed = w.FinishPacked();
  std::vector<Attributes> out;
  for (size_t cut = 0; cut < packed.size(); ++cut) {
    EXPECT_FALSE(DecodeAttributesPacked(std::string_view(packed).substr(0, cut), 50, &out).ok())
        << cut;
  }
}

TEST(EncodingTest, ChunkCompressesLargeAndKeepsSmallRaw) {
  std::string big(10000, 'a');
  ChunkCodec codec;
  std::string stored = CompressChunk(big, 3, &codec);
  EXPECT_EQ(codec, ChunkCodec::kZstd);
  EXPECT_LT(stored.size(), 100u);
  std::string out;
  ASSERT_TRUE(DecompressChunk(stored, codec, 10000, &out).ok());
  EXPECT_EQ(out, big);
  EXPECT_EQ(DecompressChunk(stored, codec, 9999, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecompressChunk(stored.substr(0, stored.size() - 2), codec, 10000, &out).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecompressChunk(stored, static_cast<ChunkCodec>(9), 10000, &out).code(),
            StatusCode::kCorruption);
  stored = CompressChunk("tiny", 3, &codec);
  EXPECT_EQ(codec, ChunkCodec::kRaw);
  EXPECT_EQ(stored, "tiny");
}

TEST(EncodingTest, DecoderBoundsCountsByRemainingBytes) {
  std::string enc;
  PutVarint64(&enc, 1000000);
  enc += "abc";
  Decoder in(enc);
  EXPECT_EQ(in.Count(1), 0u);
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.Varint(), 0u);
}

}  // namespace
}  // namespace periscope::part
