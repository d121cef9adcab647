#include "periscope/rpc/serialize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace periscope::rpc {
namespace {

enum class Color : uint8_t { kRed = 1, kGreen = 2 };
enum Signed : int16_t { kNegative = -5, kPositive = 7 };

struct Inner {
  std::string name;
  int32_t value = 0;
  bool operator==(const Inner&) const = default;
};

struct Everything {
  bool flag = false;
  int8_t i8 = 0;
  int64_t i64 = 0;
  uint16_t u16 = 0;
  uint64_t u64 = 0;
  float f = 0;
  double d = 0;
  Color color = Color::kRed;
  Signed sign = kPositive;
  std::string text;
  std::vector<uint8_t> bytes;
  std::vector<int32_t> ints;
  std::vector<bool> bools;
  std::vector<Inner> inners;
  std::map<std::string, Inner> by_name;
  std::unordered_map<int64_t, std::string> by_id;
  std::optional<Inner> maybe;
  std::optional<std::string> nothing;
  std::variant<std::monostate, int32_t, std::string, Inner> choice;
  std::array<double, 3> xyz{};
  std::set<std::string> tags;
  std::pair<std::string, uint32_t> pair;
  bool operator==(const Everything&) const = default;
};

Everything MakeEverything() {
  Everything e;
  e.flag = true;
  e.i8 = -128;
  e.i64 = std::numeric_limits<int64_t>::min();
  e.u16 = 65535;
  e.u64 = std::numeric_limits<uint64_t>::max();
  e.f = 1.5f;
  e.d = -0.1;
  e.color = Color::kGreen;
  e.sign = kNegative;
  e.text = std::string("with\0nul", 8);
  e.bytes = {0, 1, 255};
  e.ints = {0, -1, 1, std::numeric_limits<int32_t>::max()};
  e.bools = {true, false, true};
  e.inners = {{"a", 1}, {"b", -2}};
  e.by_name = {{"x", {"x", 10}}, {"y", {"", 0}}};
  e.by_id = {{-1, "minus"}, {1 << 20, "big"}};
  e.maybe = Inner{"m", 3};
  e.choice = Inner{"v", 9};
  e.xyz = {1, 2, 3};
  e.tags = {"t1", "t2"};
  e.pair = {"p", 77};
  return e;
}

TEST(SerializeTest, RoundTripsEveryType) {
  Everything e = MakeEverything();
  Result<Everything> back = Decode<Everything>(Encode(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(SerializeTest, RoundTripsDefaults) {
  Result<Everything> back = Decode<Everything>(Encode(Everything{}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Everything{});
}

TEST(SerializeTest, RoundTripsEachVariantAlternative) {
  using V = std::variant<std::monostate, int32_t, std::string, Inner>;
  for (V v : {V{}, V{int32_t{-3}}, V{std::string("s")}, V{Inner{"i", 1}}}) {
    Result<V> back = Decode<V>(Encode(v));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, v);
  }
}

TEST(SerializeTest, RoundTripsFloatSpecialValues) {
  for (double d : {0.0, -0.0, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min(), 1e308}) {
    EXPECT_EQ(*Decode<double>(Encode(d)), d);
  }
  EXPECT_TRUE(std::isnan(*Decode<double>(Encode(std::nan("")))));
}

TEST(SerializeTest, EncodingIsCompact) {
  EXPECT_EQ(Encode(int32_t{-1}).size(), 1u);  // zigzag
  EXPECT_EQ(Encode(uint64_t{127}).size(), 1u);
  EXPECT_EQ(Encode(std::string("abc")).size(), 4u);
  // Tag + varint for each field, plus the one-byte length.
  EXPECT_EQ(Encode(Inner{"ab", 5}).size(), 1u + (1 + 1 + 2) + (1 + 1));
}

struct PersonV1 {
  std::string name;
  int32_t age = 0;
};
struct PersonV2 {
  std::string name;
  int32_t age = 0;
  std::vector<std::string> emails;
  std::optional<Inner> extra;
  double score = 42.5;
  float ratio = 0.25f;
  uint64_t id = 7;
};
struct Holder1 {
  std::vector<PersonV1> people;
  std::string after;
};
struct Holder2 {
  std::vector<PersonV2> people;
  std::string after;
};

TEST(SerializeTest, BigBodiesAreEncodedInPlace) {
  // A string's length is written before its bytes (minimal varint); an aggregate's body of
  // 16 KB or more keeps a 5-byte length varint instead of being moved over the unused bytes.
  for (size_t size : {size_t{0}, size_t{127}, size_t{128}, size_t{16000}, size_t{16384},
                      size_t{1} << 20, (size_t{1} << 21) + 3}) {
    const std::string text(size, 't');
    std::string encoded = Encode(text);
    const size_t varint = size < 128 ? 1 : size < (1 << 14) ? 2 : size < (1 << 21) ? 3 : 4;
    EXPECT_EQ(encoded.size(), varint + size) << size;
    Result<std::string> back = Decode<std::string>(encoded);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, text);

    const Inner inner{text, -3};
    encoded = Encode(inner);
    const size_t body = 1 + varint + size + 1 + 1;
    const size_t outer = body < 128 ? 1 : body < (1 << 14) ? 2 : 5;
    EXPECT_EQ(encoded.size(), outer + body) << size;
    Result<Inner> decoded = Decode<Inner>(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, inner);
    // Nested inside a container too.
    const std::vector<Inner> list = {inner, Inner{"x", 1}, inner};
    Result<std::vector<Inner>> decoded_list = Decode<std::vector<Inner>>(Encode(list));
    ASSERT_TRUE(decoded_list.ok()) << decoded_list.status().ToString();
    EXPECT_EQ(*decoded_list, list);
  }
}

TEST(SerializeCompatTest, OldReaderSkipsNewTrailingFields) {
  PersonV2 v2{"ann", 30, {"a@x", "b@y"}, Inner{"i", 1}, 1.0, 2.0f, 99};
  Result<PersonV1> v1 = Decode<PersonV1>(Encode(v2));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->name, "ann");
  EXPECT_EQ(v1->age, 30);
}

TEST(SerializeCompatTest, NewReaderDefaultsMissingFields) {
  Result<PersonV2> v2 = Decode<PersonV2>(Encode(PersonV1{"bob", 41}));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->name, "bob");
  EXPECT_EQ(v2->age, 41);
  EXPECT_TRUE(v2->emails.empty());
  EXPECT_FALSE(v2->extra.has_value());
  EXPECT_EQ(v2->score, 42.5);
  EXPECT_EQ(v2->ratio, 0.25f);
  EXPECT_EQ(v2->id, 7u);
}

TEST(SerializeCompatTest, NestedEvolutionInsideContainers) {
  Holder2 h2{{{"a", 1, {"e"}, {}, 1, 1, 1}, {"b", 2, {}, Inner{}, 2, 2, 2}}, "tail"};
  Result<Holder1> h1 = Decode<Holder1>(Encode(h2));
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  ASSERT_EQ(h1->people.size(), 2u);
  EXPECT_EQ(h1->people[1].name, "b");
  EXPECT_EQ(h1->after, "tail");
  Result<Holder2> back = Decode<Holder2>(Encode(*h1));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->people[0].score, 42.5);
  EXPECT_EQ(back->after, "tail");
}

TEST(SerializeCompatTest, ChangedFieldTypeIsAnError) {
  struct A {
    std::string x;
  };
  struct B {
    int32_t x = 0;
  };
  Result<B> b = Decode<B>(Encode(A{"s"}));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("wire type"), std::string::npos);
}

TEST(SerializeCompatTest, Fixed64IsEightBytesAndReadsAnOlderVarint) {
  struct Ids {
    uint64_t a = 0;
    Fixed64 b;
  };
  struct OldIds {
    uint64_t a = 0;
    uint64_t b = 0;
  };
  const Ids ids{1, {~0ull}};
  const std::string bytes = Encode(ids);
  EXPECT_EQ(bytes.size(), 1 + 2 + 9u);  // length, field a, tag + 8 bytes
  Result<Ids> back = Decode<Ids>(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->b.value, ~0ull);
  Result<Ids> from_old = Decode<Ids>(Encode(OldIds{1, 1ull << 63}));
  ASSERT_TRUE(from_old.ok()) << from_old.status().ToString();
  EXPECT_EQ(from_old->b.value, 1ull << 63);
  struct Named {
    uint64_t a = 0;
    std::string b;
  };
  EXPECT_FALSE(Decode<Ids>(Encode(Named{1, "12345678"})).ok());
  EXPECT_EQ(Decode<Fixed64>(Encode(Fixed64{42}))->value, 42u);
}

TEST(SerializeDecodeTest, RejectsOutOfRangeIntegers) {
  EXPECT_FALSE(Decode<uint8_t>(Encode(uint32_t{256})).ok());
  EXPECT_FALSE(Decode<int8_t>(Encode(int32_t{-129})).ok());
  EXPECT_TRUE(Decode<int8_t>(Encode(int32_t{-128})).ok());
  EXPECT_FALSE(Decode<bool>(Encode(uint32_t{2})).ok());
}

TEST(SerializeDecodeTest, RejectsMalformedInputs) {
  struct Case {
    const char* name;
    std::string bytes;
  };
  std::vector<Case> cases = {
      {"empty", ""},
      {"truncated varint", "\x80"},
      {"eleven-byte varint", std::string(10, '\xff') + "\x01"},
      {"length beyond input",
       "\x05"
       "ab"},
      {"huge length", "\xff\xff\xff\xff\x0f"},
      {"trailing bytes", std::string("\x00\x00", 2)},
      {"unknown wire type", "\x02\x03\x00"},
      {"count beyond bytes", "\x02\x7f\x01"},
  };
  for (const auto& c : cases) {
    Result<Everything> r = Decode<Everything>(c.bytes);
    EXPECT_FALSE(r.ok()) << c.name;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    }
  }
  // A vector claiming a billion elements in a few bytes.
  EXPECT_FALSE(Decode<std::vector<std::string>>("\x05\x80\x94\xeb\xdc\x03").ok());
  // An unknown variant alternative.
  EXPECT_FALSE((Decode<std::variant<int32_t, std::string>>("\x02\x05\x00")).ok());
  // An optional flag that is neither 0 nor 1.
  EXPECT_FALSE(Decode<std::optional<int32_t>>("\x02\x02\x00").ok());
  // An array with the wrong element count.
  EXPECT_FALSE((Decode<std::array<int32_t, 2>>(Encode(std::vector<int32_t>{1, 2, 3}))).ok());
}

struct Node {
  int32_t value = 0;
  std::vector<Node> children;
};

TEST(SerializeDecodeTest, BoundsNestingDepth) {
  Node root;
  Node* n = &root;
  for (int i = 0; i < 100; ++i) {
    n->children.emplace_back();
    n = &n->children.back();
  }
  std::string bytes = Encode(root);
  Result<Node> r = Decode<Node>(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting deeper"), std::string::npos);
  EXPECT_TRUE(Decode<Node>(bytes, DecodeLimits{.max_depth = 1000}).ok());
}

TEST(SerializeDecodeTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  std::string good = Encode(MakeEverything());
  int failures = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    // Flip a few bytes, or cut, or produce pure noise.
    switch (i % 3) {
      case 0:
        for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
        break;
      case 1:
        bytes.resize(rng() % bytes.size());
        break;
      default:
        bytes.assign(rng() % 64, '\0');
        for (auto& c : bytes) c = static_cast<char>(rng());
    }
    if (!Decode<Everything>(bytes).ok()) ++failures;
  }
  EXPECT_GT(failures, 10000);  // most mutations are caught; none crashes (ASan build checks more)
}

}  // namespace
}  // namespace periscope::rpc
