#include "ingest/body_decoding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <climits>

namespace periscope {

namespace {

std::string Lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Owns a z_stream set up for inflating. Not thread-safe.
class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&zs_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream* stream() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

constexpr size_t kInitialChunk = 64 << 10;

// Resizes `out` to exactly `size` bytes of capacity (std::string::resize may double instead,
// which would overshoot the caller's limit), keeping its first `used` bytes.
void Grow(std::string& out, size_t used, size_t size) {
  std::string next;
  next.reserve(size);
  next.assign(out.data(), used);
  next.resize(size);
  out.swap(next);
}

// Inflates `body` with the given zlib window bits. Concatenated members (gzip) are decoded one
// after another.
Result<std::string> Inflate(std::string_view body, int window_bits, std::string_view name,
                            size_t max_bytes) {
  Inflater inf(window_bits);
  if (!inf.ok()) return Status::Internal("inflateInit2 failed");
  z_stream* zs = inf.stream();
  std::string out;
  size_t produced = 0;
  const auto* next_in = reinterpret_cast<const Bytef*>(body.data());
  size_t avail_in = body.size();
  unsigned char probe[1];
  while (true) {
    if (produced == out.size() && out.size() < max_bytes) {
      Grow(out, produced, std::min(max_bytes, out.size() + std::max(kInitialChunk, out.size())));
    }
    // At the limit, inflate into a one-byte probe: any output there means the body is too large.
    const bool at_limit = produced == out.size();
    size_t room = at_limit ? 1 : std::min<size_t>(out.size() - produced, UINT_MAX);
    zs->next_in = const_cast<Bytef*>(next_in);
    zs->avail_in = static_cast<uInt>(std::min<size_t>(avail_in, UINT_MAX));
    zs->next_out = at_limit ? probe : reinterpret_cast<Bytef*>(out.data() + produced);
    zs->avail_out = static_cast<uInt>(room);
    int rc = inflate(zs, Z_NO_FLUSH);
    const size_t wrote = room - zs->avail_out;
    if (at_limit && wrote > 0) {
      return Status::ResourceExhausted("{} body inflates to more than {} bytes", name, max_bytes);
    }
    produced += wrote;
    const size_t consumed = static_cast<size_t>(zs->next_in - next_in);
    next_in = zs->next_in;
    avail_in -= consumed;
    if (rc == Z_STREAM_END) {
      if (avail_in == 0) break;
      if (inflateReset(zs) != Z_OK) return Status::Internal("inflateReset failed");
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (avail_in == 0 && wrote == 0 && consumed == 0) {
        return Status::InvalidArgument("{} body is truncated", name);
      }
      continue;
    }
    if (rc == Z_MEM_ERROR) return Status::ResourceExhausted("out of memory inflating {}", name);
    return Status::InvalidArgument("corrupt {} body: {}", name, zs->msg ? zs->msg : "error");
  }
  out.resize(produced);
  return out;
}

}  // namespace

Result<std::string> DecodeContentEncoding(std::string_view encoding, std::string_view body,
                                          size_t max_bytes) {
  const std::string enc = Lower(encoding);
  if (enc.empty() || enc == "identity") {
    if (body.size() > max_bytes) {
      return Status::ResourceExhausted("body of {} bytes exceeds the limit of {} bytes",
                                       body.size(), max_bytes);
    }
    return std::string(body);
  }
  if (enc == "gzip" || enc == "x-gzip") return Inflate(body, 16 + MAX_WBITS, "gzip", max_bytes);
  if (enc == "deflate") {
    // RFC 9110 deflate is zlib-wrapped, but some clients send raw deflate.
    const bool zlib_header =
        body.size() >= 2 && (static_cast<uint8_t>(body[0]) & 0x0f) == 8 &&
        ((static_cast<uint8_t>(body[0]) << 8) | static_cast<uint8_t>(body[1])) % 31 == 0;
    return Inflate(body, zlib_header ? MAX_WBITS : -MAX_WBITS, "deflate", max_bytes);
  }
  return Status::Unsupported("unsupported Content-Encoding \"{}\" (want gzip or identity)",
                             encoding);
}

}  // namespace periscope
