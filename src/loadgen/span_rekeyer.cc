#include "loadgen/span_rekeyer.h"

#include <bit>
#include <cstring>

namespace periscope::loadgen {
namespace {

static_assert(std::endian::native == std::endian::little, "fixed64 fields are patched in place");

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// Cursor over one message's bytes; offsets are relative to the start of the whole request.
class WireCursor {
 public:
  WireCursor(const char* base, size_t begin, size_t end) : base_(base), pos_(begin), end_(end) {}
  bool done() const { return pos_ >= end_; }
  size_t pos() const { return pos_; }

  bool ReadVarint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos_ >= end_) return false;
      uint64_t byte = static_cast<unsigned char>(base_[pos_++]);
      *v |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  // Reads a tag and, for LEN fields, the payload bounds [*begin, *end).
  bool ReadField(uint32_t* field, uint32_t* wire, size_t* begin, size_t* end) {
    uint64_t tag;
    if (!ReadVarint(&tag)) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire = static_cast<uint32_t>(tag & 7);
    *begin = pos_;
    switch (*wire) {
      case kVarint: {
        uint64_t ignored;
        if (!ReadVarint(&ignored)) return false;
        break;
      }
      case kFixed64:
        if (end_ - pos_ < 8) return false;
        pos_ += 8;
        break;
      case kFixed32:
        if (end_ - pos_ < 4) return false;
        pos_ += 4;
        break;
      case kLen: {
        uint64_t n;
        if (!ReadVarint(&n) || n > end_ - pos_) return false;
        *begin = pos_;
        pos_ += n;
        break;
      }
      default:
        return false;
    }
    *end = pos_;
    return true;
  }

 private:
  const char* base_;
  size_t pos_;
  size_t end_;
};

bool WalkEvent(const char* base, size_t begin, size_t end, SpanFieldOffsets* out) {
  WireCursor c(base, begin, end);
  while (!c.done()) {
    uint32_t field, wire;
    size_t b, e;
    if (!c.ReadField(&field, &wire, &b, &e)) return false;
    if (field == 1 && wire == kFixed64) out->times.push_back(static_cast<uint32_t>(b));
  }
  return true;
}

bool WalkSpan(const char* base, size_t begin, size_t end, SpanFieldOffsets* out) {
  WireCursor c(base, begin, end);
  while (!c.done()) {
    uint32_t field, wire;
    size_t b, e;
    if (!c.ReadField(&field, &wire, &b, &e)) return false;
    if (field == 1 && wire == kLen && e - b == 16) {
      out->trace_ids.push_back(static_cast<uint32_t>(b));
    } else if ((field == 2 || field == 4) && wire == kLen && e - b == 8) {
      out->span_ids.push_back(static_cast<uint32_t>(b));
    } else if ((field == 7 || field == 8) && wire == kFixed64) {
      out->times.push_back(static_cast<uint32_t>(b));
    } else if (field == 11 && wire == kLen) {
      if (!WalkEvent(base, b, e, out)) return false;
    }
  }
  ++out->spans;
  return true;
}

// Walks a message whose field `child_field` holds children handled by `walk_child`.
template <typename Fn>
bool WalkRepeated(const char* base, size_t begin, size_t end, uint32_t child_field, Fn walk_child) {
  WireCursor c(base, begin, end);
  while (!c.done()) {
    uint32_t field, wire;
    size_t b, e;
    if (!c.ReadField(&field, &wire, &b, &e)) return false;
    if (field == child_field && wire == kLen && !walk_child(b, e)) return false;
  }
  return true;
}

void XorBytes(char* p, const uint8_t* key, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>(static_cast<uint8_t>(p[i]) ^ key[i]);
}

}  // namespace

Result<SpanFieldOffsets> LocateSpanFields(std::string_view request) {
  if (request.size() > UINT32_MAX) return Status::InvalidArgument("request over 4 GiB");
  SpanFieldOffsets out;
  const char* base = request.data();
  auto walk_scope = [&](size_t b, size_t e) {
    return WalkRepeated(base, b, e, 2,
                        [&](size_t sb, size_t se) { return WalkSpan(base, sb, se, &out); });
  };
  auto walk_resource = [&](size_t b, size_t e) { return WalkRepeated(base, b, e, 2, walk_scope); };
  if (!WalkRepeated(base, 0, request.size(), 1, walk_resource)) {
    return Status::Corruption("malformed ExportTraceServiceRequest ({} bytes)", request.size());
  }
  return out;
}

void RekeySpans(char* request, const SpanFieldOffsets& offsets, const RekeyParams& params) {
  for (uint32_t off : offsets.trace_ids) XorBytes(request + off, params.trace_key.data(), 16);
  for (uint32_t off : offsets.span_ids) XorBytes(request + off, params.span_key.data(), 8);
  for (uint32_t off : offsets.times) {
    uint64_t t;
    std::memcpy(&t, request + off, 8);
    t += static_cast<uint64_t>(params.time_shift_ns);
    std::memcpy(request + off, &t, 8);
  }
}

}  // namespace periscope::loadgen
