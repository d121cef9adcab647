#include "rpc/frame.h"

#include <boost/endian/conversion.hpp>
#include <cstring>
#include <limits>

namespace periscope::rpc::internal {
namespace {

template <class T>
std::string Frame(FrameKind kind, const T& frame) {
  std::string out(kFrameHeaderSize, '\0');
  out.push_back(static_cast<char>(kind));
  EncodeTo(frame, out);
  uint32_t len = static_cast<uint32_t>(out.size() - kFrameHeaderSize);
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
  return out;
}

void PutLength(std::string& out, size_t len) {
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
}

// Appends field I of an aggregate the way the generic encoder does (tag, then value).
template <size_t I, class T>
void Field(serial::Writer& w, const T& value) {
  w.Varint((uint64_t{I} << 3) | static_cast<uint64_t>(serial::WireTypeOf<T>()));
  serial::EncodeValue(w, value);
}

// The head of a frame whose payload is field I, written last; the fields before it are written
// by `fields`. A small payload goes into the head (see FramePieces).
template <size_t I, class F>
FramePieces Pieces(FrameKind kind, std::string&& payload, F fields) {
  // The fields are encoded into a per-thread buffer first: the struct is one length-delimited
  // value whose length (a varint in front of them) covers the fields and the payload.
  thread_local std::string body;
  body.clear();
  serial::Writer b(body);
  fields(b);
  b.Varint((uint64_t{I} << 3) | static_cast<uint64_t>(WireType::kLengthDelimited));
  b.Varint(payload.size());
  const bool inline_payload = payload.size() < kSeparatePayloadBytes;
  FramePieces out;
  out.head.reserve(kFrameHeaderSize + 1 + 5 + body.size() + (inline_payload ? payload.size() : 0));
  out.head.assign(kFrameHeaderSize, '\0');
  out.head.push_back(static_cast<char>(kind));
  serial::Writer w(out.head);
  w.Varint(body.size() + payload.size());
  w.Bytes(body);
  PutLength(out.head, out.head.size() - kFrameHeaderSize + payload.size());
  if (inline_payload) {
    out.head.append(payload);
  } else {
    out.payload = std::move(payload);
  }
  return out;
}

constexpr uint64_t Tag(uint64_t index, WireType wt) {
  return (index << 3) | static_cast<uint64_t>(wt);
}
constexpr WireType kVarint = WireType::kVarint;
constexpr WireType kFixed64 = WireType::kFixed64;
constexpr WireType kBytes = WireType::kLengthDelimited;

// The generic decoder's outcome, for input the fast path does not take.
template <class T>
Status DecodeGeneric(std::string_view encoded, const DecodeLimits& limits, T& out) {
  Result<T> decoded = Decode<T>(encoded, limits);
  if (!decoded.ok()) return decoded.status();
  out = std::move(decoded).value();
  return Status::Ok();
}

// Opens the struct's length-delimited body; false unless it is well formed and spans the rest.
bool OpenStruct(std::string_view encoded, const DecodeLimits& limits, serial::Reader& body) {
  serial::Reader r(encoded, limits);
  uint64_t len = 0;
  std::string_view bytes;
  if (limits.max_depth < 1 || !r.TryVarint(len) || len != r.remaining()) return false;
  if (!r.TryBytes(len, bytes)) return false;
  body = serial::Reader(bytes, limits, 1);
  return true;
}

bool TakeString(serial::Reader& body, std::string& out) {
  uint64_t len = 0;
  std::string_view bytes;
  if (!body.TryVarint(len) || !body.TryBytes(len, bytes)) return false;
  out.assign(bytes.data(), bytes.size());
  return true;
}

template <class U>
bool TakeUnsigned(serial::Reader& body, U& out) {
  uint64_t v = 0;
  if (!body.TryVarint(v) || v > std::numeric_limits<U>::max()) return false;
  out = static_cast<U>(v);
  return true;
}

bool TakeFixed64(serial::Reader& body, Fixed64& out) { return body.Fixed64(out.value).ok(); }

// The trace fields (8 to 11) as this version writes them: three tagged fixed64 values and a
// one-byte flags varint, in one piece.
constexpr size_t kTraceBlockSize = 3 * 9 + 2;
constexpr uint8_t kTraceTags[4] = {(8 << 3) | 1, (9 << 3) | 1, (10 << 3) | 1, 11 << 3};

void PutFixed64(char* at, uint64_t v) {
  v = boost::endian::native_to_little(v);
  std::memcpy(at, &v, 8);
}

uint64_t GetFixed64(const char* at) {
  uint64_t v;
  std::memcpy(&v, at, 8);
  return boost::endian::little_to_native(v);
}

void PutTraceBlock(serial::Writer& w, const RequestFrame& f) {
  char block[kTraceBlockSize + 1];
  block[0] = static_cast<char>(kTraceTags[0]);
  PutFixed64(block + 1, f.trace_id_low.value);
  block[9] = static_cast<char>(kTraceTags[1]);
  PutFixed64(block + 10, f.trace_id_high.value);
  block[18] = static_cast<char>(kTraceTags[2]);
  PutFixed64(block + 19, f.parent_span_id.value);
  block[27] = static_cast<char>(kTraceTags[3]);
  size_t n = kTraceBlockSize;
  if (f.trace_flags < 0x80) {
    block[28] = static_cast<char>(f.trace_flags);
  } else {
    block[28] = static_cast<char>(f.trace_flags | 0x80);
    block[29] = 1;
    ++n;
  }
  w.Bytes(std::string_view(block, n));
}

// Takes the trace block at the reader (whose field-8 tag was just read) when it is laid out as
// PutTraceBlock writes it with flags below 0x80; false (nothing taken) otherwise.
bool TakeTraceBlock(serial::Reader& body, RequestFrame& out) {
  serial::Reader ahead = body;
  std::string_view block;
  if (!ahead.TryBytes(kTraceBlockSize - 1, block)) return false;
  const char* p = block.data();
  if (static_cast<uint8_t>(p[8]) != kTraceTags[1] || static_cast<uint8_t>(p[17]) != kTraceTags[2] ||
      static_cast<uint8_t>(p[26]) != kTraceTags[3] || static_cast<uint8_t>(p[27]) >= 0x80) {
    return false;
  }
  out.trace_id_low.value = GetFixed64(p);
  out.trace_id_high.value = GetFixed64(p + 9);
  out.parent_span_id.value = GetFixed64(p + 18);
  out.trace_flags = static_cast<uint8_t>(p[27]);
  body = ahead;
  return true;
}

bool TakeInt32(serial::Reader& body, int32_t& out) {
  uint64_t v = 0;
  if (!body.TryVarint(v)) return false;
  const int64_t s = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  if (s < std::numeric_limits<int32_t>::min() || s > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  out = static_cast<int32_t>(s);
  return true;
}

// The pieces below list every field; a new field must be added to them too.
static_assert(boost::pfr::tuple_size_v<RequestFrame> == 12);
static_assert(boost::pfr::tuple_size_v<ResponseFrame> == 4);
static_assert(boost::pfr::tuple_size_v<MessageFrame> == 2);

}  // namespace

FramePieces EncodeFramePieces(RequestFrame&& f) { return EncodeRequestPieces(f); }

FramePieces EncodeRequestPieces(RequestFrame& f) {
  return Pieces<5>(FrameKind::kRequest, std::move(f.payload), [&f](serial::Writer& w) {
    Field<0>(w, f.id);
    Field<1>(w, f.service);
    Field<2>(w, f.method);
    Field<3>(w, f.deadline_unix_nanos);
    if (!f.metadata.empty()) Field<4>(w, f.metadata);
    Field<6>(w, f.call_kind);
    Field<7>(w, f.window);
    // Absent fields decode to their zero defaults.
    if (f.parent_span_id.value != 0 || f.trace_id_low.value != 0 || f.trace_id_high.value != 0) {
      PutTraceBlock(w, f);
    }
  });
}

FramePieces EncodeFramePieces(ResponseFrame&& f) {
  return Pieces<3>(FrameKind::kResponse, std::move(f.payload), [&f](serial::Writer& w) {
    Field<0>(w, f.id);
    Field<1>(w, f.code);
    Field<2>(w, f.message);
  });
}

FramePieces EncodeFramePieces(MessageFrame&& f) {
  return Pieces<1>(FrameKind::kMessage, std::move(f.payload),
                   [&f](serial::Writer& w) { Field<0>(w, f.id); });
}

std::string EncodeFrame(const RequestFrame& frame) { return Frame(FrameKind::kRequest, frame); }
std::string EncodeFrame(const ResponseFrame& frame) { return Frame(FrameKind::kResponse, frame); }
std::string EncodeFrame(const MessageFrame& frame) { return Frame(FrameKind::kMessage, frame); }
std::string EncodeControlFrame(FrameKind kind, uint64_t id, uint64_t value) {
  ControlFrame frame{id, value};
  return Frame(kind, frame);
}

// The decoders below too.
Status DecodeRequestFrame(std::string_view encoded, const DecodeLimits& limits, RequestFrame& out) {
  serial::Reader body({}, limits);
  if (!OpenStruct(encoded, limits, body)) return DecodeGeneric(encoded, limits, out);
  while (!body.empty()) {
    uint64_t tag = 0;
    bool ok = body.TryVarint(tag);
    if (ok) {
      switch (tag) {
        case Tag(0, kVarint):
          ok = TakeUnsigned(body, out.id);
          break;
        case Tag(1, kBytes):
          ok = TakeString(body, out.service);
          break;
        case Tag(2, kBytes):
          ok = TakeString(body, out.method);
          break;
        case Tag(3, kVarint):
          ok = TakeUnsigned(body, out.deadline_unix_nanos);
          break;
        case Tag(4, kBytes):
          ok = serial::DecodeValue(body, out.metadata).ok();
          break;
        case Tag(5, kBytes):
          ok = TakeString(body, out.payload);
          break;
        case Tag(6, kVarint):
          ok = TakeUnsigned(body, out.call_kind);
          break;
        case Tag(7, kVarint):
          ok = TakeUnsigned(body, out.window);
          break;
        case Tag(8, kFixed64):
          ok = TakeTraceBlock(body, out) || TakeFixed64(body, out.trace_id_low);
          break;
        case Tag(9, kFixed64):
          ok = TakeFixed64(body, out.trace_id_high);
          break;
        case Tag(10, kFixed64):
          ok = TakeFixed64(body, out.parent_span_id);
          break;
        case Tag(11, kVarint):
          ok = TakeUnsigned(body, out.trace_flags);
          break;
        default:
          ok = false;
      }
    }
    if (!ok) return DecodeGeneric(encoded, limits, out);
  }
  return Status::Ok();
}

Status DecodeResponseFrame(std::string_view encoded, const DecodeLimits& limits,
                           ResponseFrame& out) {
  serial::Reader body({}, limits);
  if (!OpenStruct(encoded, limits, body)) return DecodeGeneric(encoded, limits, out);
  while (!body.empty()) {
    uint64_t tag = 0;
    bool ok = body.TryVarint(tag);
    if (ok) {
      switch (tag) {
        case Tag(0, kVarint):
          ok = TakeUnsigned(body, out.id);
          break;
        case Tag(1, kVarint):
          ok = TakeInt32(body, out.code);
          break;
        case Tag(2, kBytes):
          ok = TakeString(body, out.message);
          break;
        case Tag(3, kBytes):
          ok = TakeString(body, out.payload);
          break;
        default:
          ok = false;
      }
    }
    if (!ok) return DecodeGeneric(encoded, limits, out);
  }
  return Status::Ok();
}

Result<FrameBody> ParseFrameBody(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("empty frame");
  auto kind = static_cast<uint8_t>(body[0]);
  if (kind < static_cast<uint8_t>(FrameKind::kRequest) ||
      kind > static_cast<uint8_t>(FrameKind::kCancel)) {
    return InvalidArgumentError("unknown frame kind " + std::to_string(kind));
  }
  return FrameBody{static_cast<FrameKind>(kind), body.substr(1)};
}

Status CheckFrameLength(uint32_t len, size_t max_frame_size) {
  if (len == 0) return InvalidArgumentError("frame of length 0");
  if (len > max_frame_size) {
    return ResourceExhaustedError("frame of " + std::to_string(len) +
                                  " bytes exceeds the limit of " + std::to_string(max_frame_size));
  }
  return Status::Ok();
}

size_t EncodedFieldLength(std::string_view encoded, uint64_t field) {
  serial::Reader r(encoded, DecodeLimits{});
  serial::Reader body({}, DecodeLimits{});
  if (!r.LengthDelimited(body).ok()) return 0;
  while (!body.empty()) {
    uint64_t tag = 0;
    if (!body.TryVarint(tag)) return 0;
    const auto wt = static_cast<WireType>(tag & 7);
    if (tag == ((field << 3) | static_cast<uint64_t>(WireType::kLengthDelimited))) {
      uint64_t len = 0;
      if (!body.TryVarint(len) || len > body.remaining()) return 0;
      return len;
    }
    if (!body.Skip(wt).ok()) return 0;
  }
  return 0;
}

}  // namespace periscope::rpc::internal
