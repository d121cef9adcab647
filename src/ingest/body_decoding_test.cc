#include "ingest/body_decoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <random>

namespace periscope {
namespace {

// Compresses `chunks` copies of `chunk` with zlib; window_bits 16+15 gives gzip, 15 zlib and
// -15 raw deflate.
std::string Compress(std::string_view chunk, size_t chunks, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out;
  char buf[1 << 16];
  for (size_t i = 0; i <= chunks; ++i) {
    const bool last = i == chunks;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    zs.avail_in = last ? 0 : static_cast<uInt>(chunk.size());
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return out;
}

std::string Gzip(std::string_view data) { return Compress(data, 1, 16 + MAX_WBITS); }

std::string RandomText(size_t n) {
  std::mt19937 rng(5);
  std::string s(n, ' ');
  for (char& c : s) c = static_cast<char>('a' + rng() % 8);
  return s;
}

TEST(BodyDecodingTest, IdentityPassesThrough) {
  for (const char* enc : {"", "identity", " Identity "}) {
    auto r = DecodeContentEncoding(enc, "abc", 10);
    ASSERT_TRUE(r.ok()) << enc;
    EXPECT_EQ(*r, "abc");
  }
  auto r = DecodeContentEncoding("identity", "abcdef", 5);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST(BodyDecodingTest, GzipRoundTrip) {
  const std::string data = RandomText(300'000);
  for (const char* enc : {"gzip", "x-gzip", "GZIP"}) {
    auto r = DecodeContentEncoding(enc, Gzip(data), 1 << 20);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, data);
  }
  auto empty = DecodeContentEncoding("gzip", Gzip(""), 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(BodyDecodingTest, DecodesConcatenatedGzipMembers) {
  auto r = DecodeContentEncoding("gzip", Gzip("hello ") + Gzip("world"), 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "hello world");
}

TEST(BodyDecodingTest, DeflateZlibAndRaw) {
  const std::string data = RandomText(5000);
  for (int bits : {MAX_WBITS, -MAX_WBITS}) {
    auto r = DecodeContentEncoding("deflate", Compress(data, 1, bits), 1 << 20);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, data);
  }
}

TEST(BodyDecodingTest, LimitIsExact) {
  const std::string data = RandomText(100'000);
  const std::string gz = Gzip(data);
  EXPECT_TRUE(DecodeContentEncoding("gzip", gz, data.size()).ok());
  auto r = DecodeContentEncoding("gzip", gz, data.size() - 1);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodeContentEncoding("gzip", Gzip("x"), 0).status().code(),
            StatusCode::kResourceExhausted);
}

// A single gzip stream of `mib` MiB of zeros, built in milliseconds: with Z_RLE and a sync flush
// after each MiB, every MiB after the first compresses to the same bytes, so the middle is
// repeated; then an empty final block and a trailer with the CRC and size of all the zeros.
std::string ZerosGzip(size_t mib) {
  const std::string zeros(1 << 20, '\0');
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_RLE), Z_OK);
  auto flush_chunk = [&] {
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    zs.avail_in = static_cast<uInt>(zeros.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
    out.resize(out.size() - zs.avail_out);
    return out;
  };
  const std::string first = flush_chunk(), second = flush_chunk(), third = flush_chunk();
  deflateEnd(&zs);
  EXPECT_EQ(second, third);
  std::string out = first;
  for (size_t i = 1; i < mib; ++i) out += second;
  out += std::string("\x03\x00", 2);  // final fixed-Huffman block holding only end-of-block
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(zeros.data()), zeros.size());
  const uLong crc_mib = crc;
  for (size_t i = 1; i < mib; ++i) crc = crc32_combine(crc, crc_mib, 1 << 20);
  const uint64_t size = mib << 20;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  return out;
}

TEST(BodyDecodingTest, ZerosGzipIsAValidStream) {
  auto r = DecodeContentEncoding("gzip", ZerosGzip(8), 8 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, std::string(8 << 20, '\0'));
}

TEST(BodyDecodingTest, GzipBombStopsAtTheLimit) {
  const std::string bomb = ZerosGzip(1024);  // 1 GiB of zeros
  ASSERT_LT(bomb.size(), 2u << 20);
  const auto start = std::chrono::steady_clock::now();
  auto r = DecodeContentEncoding("gzip", bomb, 16 << 20);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("more than 16777216 bytes"), std::string::npos);
  // Inflating all of it would take seconds; stopping at 16 MiB takes milliseconds.
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(BodyDecodingTest, CorruptOrTruncatedGzipIsInvalidArgument) {
  const std::string gz = Gzip(RandomText(10'000));
  std::string flipped = gz;
  flipped[flipped.size() / 2] ^= 0x55;
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 1;
  const std::string cases[] = {
      "not gzip at all",
      gz.substr(0, gz.size() / 2),
      gz.substr(0, gz.size() - 1),
      flipped,
      bad_crc,
      gz + "trailing junk",
      "",
  };
  for (const auto& c : cases) {
    auto r = DecodeContentEncoding("gzip", c, 1 << 20);
    ASSERT_FALSE(r.ok()) << c.size();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  }
}

TEST(BodyDecodingTest, UnknownEncodingIsUnsupported) {
  for (const char* enc : {"br", "zstd", "gzip, br"}) {
    auto r = DecodeContentEncoding(enc, "x", 10);
    EXPECT_EQ(r.status().code(), StatusCode::kUnsupported) << enc;
    EXPECT_NE(r.status().message().find(enc), std::string::npos);
  }
}

}  // namespace
}  // namespace periscope
