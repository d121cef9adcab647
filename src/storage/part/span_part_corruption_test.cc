#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/coding.h"
#include "base/crc32c.h"
#include "model/span_batch_testing.h"
#include "storage/part/part_test_util.h"
#include "storage/part/span_block.h"
#include "storage/part/span_part.h"
#include "storage/part/span_part_format.h"

namespace periscope {
namespace {

using part::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Opens `data` as a part and scans all of it; returns the first error.
Status OpenAndScan(const std::string& path, std::string_view data) {
  WriteAll(path, data);
  auto part = SpanPart::Open(path);
  if (!part.ok()) return part.status();
  TraceId probe;
  (void)(*part)->MayContainTrace(probe);
  size_t rows = 0;
  RETURN_IF_ERROR((*part)->Scan(SpanQuery(), [&](const SpanBatch&, size_t) {
    ++rows;
    return true;
  }));
  SpanQuery by_trace;
  by_trace.trace_id = probe;
  RETURN_IF_ERROR((*part)->Scan(by_trace, [](const SpanBatch&, size_t) { return true; }));
  return Status::Ok();
}

class SpanPartCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    batch_ = testing::MakeTestSpans(6, 3);
    ASSERT_TRUE(WriteSpanPart(dir_.File("good"), batch_, {}).ok());
    good_ = ReadAll(dir_.File("good"));
    ASSERT_TRUE(OpenAndScan(dir_.File("copy"), good_).ok());
  }
  // Every offset in the header, the footer and the trailer; every 3rd one in the blocks.
  size_t NextOffset(size_t pos) const {
    const size_t footer_len = DecodeFixed32(good_.data() + good_.size() - part::kTrailerSize);
    const size_t footer_start = good_.size() - part::kTrailerSize - footer_len;
    return pos < part::kHeaderSize || pos >= footer_start ? pos + 1 : pos + 3;
  }
  TempDir dir_;
  SpanBatch batch_;
  std::string good_;
};

TEST_F(SpanPartCorruptionTest, TruncatedAtEveryOffsetIsCorruption) {
  for (size_t cut = 0; cut < good_.size(); cut = NextOffset(cut)) {
    Status st = OpenAndScan(dir_.File("cut"), std::string_view(good_).substr(0, cut));
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << "cut at " << cut << ": " << st.ToString();
  }
}

TEST_F(SpanPartCorruptionTest, EveryFlippedByteIsCorruption) {
  for (size_t pos = 0; pos < good_.size(); pos = NextOffset(pos)) {
    std::string bad = good_;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
    Status st = OpenAndScan(dir_.File("flip"), bad);
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << "flip at " << pos << ": " << st.ToString();
  }
}

TEST_F(SpanPartCorruptionTest, BadMagicVersionAndFooterLength) {
  std::string bad = good_;
  bad[0] = 'X';
  EXPECT_EQ(OpenAndScan(dir_.File("m1"), bad).code(), StatusCode::kCorruption);
  bad = good_;
  bad.back() = 'X';
  EXPECT_EQ(OpenAndScan(dir_.File("m2"), bad).code(), StatusCode::kCorruption);
  const size_t trailer = good_.size() - part::kTrailerSize;
  for (uint32_t len : {0u, 1u, 0xffffffffu, static_cast<uint32_t>(good_.size())}) {
    bad = good_;
    std::string enc;
    PutFixed32(&enc, len);
    bad.replace(trailer, 4, enc);
    EXPECT_EQ(OpenAndScan(dir_.File("len"), bad).code(), StatusCode::kCorruption) << len;
  }
  bad = good_;
  std::string enc;
  PutFixed32(&enc, part::kFormatVersion + 1);
  bad.replace(8, 4, enc);
  EXPECT_EQ(OpenAndScan(dir_.File("ver"), bad).code(), StatusCode::kCorruption);
  EXPECT_EQ(OpenAndScan(dir_.File("empty"), "").code(), StatusCode::kCorruption);
}

TEST_F(SpanPartCorruptionTest, GarbageFooterWithValidChecksumIsCorruption) {
  const size_t trailer = good_.size() - part::kTrailerSize;
  const uint32_t footer_len = DecodeFixed32(good_.data() + trailer);
  const size_t footer_start = trailer - footer_len;
  std::mt19937_64 rng(3);
  for (int round = 0; round < 500; ++round) {
    std::string bad = good_;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bad[footer_start + rng() % footer_len] = static_cast<char>(rng());
    }
    std::string crc;
    PutFixed32(&crc, Crc32c(std::string_view(bad).substr(footer_start, footer_len)));
    bad.replace(trailer + 4, 4, crc);
    Status st = OpenAndScan(dir_.File("footer"), bad);
    if (!st.ok()) {
      ASSERT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    }
  }
}

// Mutates decoded column chunks (as if their checksums had matched) and checks that decoding
// never crashes and reports Corruption on failure.
TEST(SpanBlockTest, DecodeSurvivesMutatedChunks) {
  SpanBatch batch = testing::MakeTestSpans(40, 4);
  batch.events[3].push_back(SpanEvent{5, "e", {{"k", AnyValue::Bytes("b")}}, 1});
  batch.links[5].push_back(SpanLink{TraceId(), SpanId(), "ts", {}, 1, 2});
  std::vector<uint32_t> resources = {0, 1, 2, 3}, scopes = {0};
  part::SortedRows rows;
  rows.batches = {&batch};
  for (uint32_t i = 0; i < batch.size(); ++i) rows.refs.push_back({0, i});
  rows.part_resource = {resources};
  rows.part_scope = {scopes};
  part::EncodedBlock block = part::EncodeSpanBlock(rows, 0, batch.size());
  SpanBatch out;
  ASSERT_TRUE(
      part::DecodeSpanBlock(block.info, batch.resources, batch.scopes, block.chunks, &out).ok());
  std::mt19937_64 rng(11);
  int failures = 0;
  for (size_t c = 0; c < block.chunks.size(); ++c) {
    for (size_t cut = 0; cut < block.chunks[c].size(); cut += 1 + block.chunks[c].size() / 50) {
      auto chunks = block.chunks;
      chunks[c].resize(cut);
      Status st = part::DecodeSpanBlock(block.info, batch.resources, batch.scopes, chunks, &out);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kCorruption);
        ++failures;
      }
    }
    for (int round = 0; round < 100 && !block.chunks[c].empty(); ++round) {
      auto chunks = block.chunks;
      chunks[c][rng() % chunks[c].size()] = static_cast<char>(rng());
      Status st = part::DecodeSpanBlock(block.info, batch.resources, batch.scopes, chunks, &out);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kCorruption);
      }
      part::BlockSelection sel;
      sel.begin = rng() % batch.size();
      sel.end = sel.begin + rng() % 9;
      sel.summary_only = round % 2 == 0;
      sel.attributes = round % 4 == 0;
      st = part::DecodeSpanBlock(block.info, batch.resources, batch.scopes, chunks, &out, sel);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kCorruption);
      }
    }
  }
  EXPECT_GT(failures, 0);
  auto chunks = block.chunks;
  chunks.pop_back();
  EXPECT_FALSE(part::DecodeSpanBlock(block.info, batch.resources, batch.scopes, chunks, &out).ok());
}

}  // namespace
}  // namespace periscope
