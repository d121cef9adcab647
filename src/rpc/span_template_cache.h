#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/rpc/channel.h"
#include "periscope/trace/common.h"
#include "periscope/trace/tracer.h"

namespace periscope::rpc::internal {

// The attribute with a call's final status code (an rpc::StatusCode).
inline constexpr std::string_view kRpcStatusCodeKey = "rpc.periscope.status_code";

// What every span of one RPC method between the same two ends shares: its name, kind and
// attributes (RPC semantic conventions, the status code set to OK until a call fails), as a
// trace::SpanShape of the tracer that starts the spans.
struct SpanTemplate {
  std::shared_ptr<const trace::SpanShape> shape;  // null: no tracer

  const std::string& name() const;
  // Null without a shape.
  const std::shared_ptr<const trace::Attributes>& attributes() const;
};

// A new template of `tracer`: "service/method" and the attributes of a SERVER span (peer: the
// client's address, may be empty) or a CLIENT span (peer: the server's address; port 0: none).
SpanTemplate MakeSpanTemplate(const trace::Tracer& tracer, bool server, std::string_view service,
                              std::string_view method, std::string_view peer, uint16_t port);

// The span templates one thread has used, looked up by (tracer, side, service, method, peer,
// port), so a call's span copies no attribute. Bounded: past kMaxEntries the oldest entries are
// replaced. Not synchronised: one per thread (see ForThisThread).
class SpanTemplateCache {
 public:
  static constexpr size_t kMaxEntries = 64;
  static SpanTemplateCache& ForThisThread();

  // The SERVER span template of a call from `peer` (may be empty).
  const SpanTemplate& Server(const trace::Tracer& tracer, std::string_view service,
                             std::string_view method, std::string_view peer) {
    return Find(tracer, true, service, method, peer, 0);
  }
  // The CLIENT span template of a call to address:port (port 0: none).
  const SpanTemplate& Client(const trace::Tracer& tracer, std::string_view service,
                             std::string_view method, std::string_view address, uint16_t port) {
    return Find(tracer, false, service, method, address, port);
  }
  // The same for a typed method (its static names) on the client connection numbered
  // `connection` (never reused), whose tracer and address do not change: found by two
  // comparisons in the usual case.
  const SpanTemplate& Client(const trace::Tracer& tracer, uint64_t connection,
                             const MethodNames& names, std::string_view address, uint16_t port) {
    KeyedEntry& entry =
        keyed_[(connection ^ (reinterpret_cast<uintptr_t>(&names) >> 4)) % kKeyedEntries];
    if (entry.connection != connection || entry.names != &names) [[unlikely]]
      entry = KeyedEntry{connection, &names,
                         Client(tracer, names.service, names.method, address, port)};
    return entry.span;
  }

 private:
  static constexpr size_t kKeyedEntries = 16;
  // A template by (connection, typed method), direct-mapped.
  struct KeyedEntry {
    uint64_t connection = 0;
    const MethodNames* names = nullptr;
    SpanTemplate span;
  };
  struct Entry {
    bool server = false;
    std::string service;
    std::string method;
    std::string peer;
    uint16_t port = 0;
    SpanTemplate span;

    // The sizes first: a different entry most often differs in one. The texts through memcmp,
    // whose code every call runs anyway: compared inline, they made the lookup four times larger,
    // and its code is out of the instruction cache at every call.
    bool Matches(const trace::Tracer& tracer, bool s, std::string_view sv, std::string_view m,
                 std::string_view p, uint16_t pt) const {
      return server == s && port == pt && method.size() == m.size() &&
             service.size() == sv.size() && peer.size() == p.size() && span.shape->MadeBy(tracer) &&
             std::memcmp(method.data(), m.data(), m.size()) == 0 &&
             std::memcmp(service.data(), sv.data(), sv.size()) == 0 &&
             std::memcmp(peer.data(), p.data(), p.size()) == 0;
    }
  };
  // Inline for the usual case, the same template as the thread's last lookup.
  const SpanTemplate& Find(const trace::Tracer& tracer, bool server, std::string_view service,
                           std::string_view method, std::string_view peer, uint16_t port) {
    if (last_ < entries_.size() &&
        entries_[last_].Matches(tracer, server, service, method, peer, port)) {
      return entries_[last_].span;
    }
    return FindOrAdd(tracer, server, service, method, peer, port);
  }
  const SpanTemplate& FindOrAdd(const trace::Tracer& tracer, bool server, std::string_view service,
                                std::string_view method, std::string_view peer, uint16_t port);

  std::vector<Entry> entries_;
  std::array<KeyedEntry, kKeyedEntries> keyed_;
  size_t last_ = 0;     // the entry found last: looked at first
  size_t replace_ = 0;  // the next entry replaced once full
};

}  // namespace periscope::rpc::internal
