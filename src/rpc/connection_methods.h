#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/server_impl.h"
#include "rpc/span_template_cache.h"

namespace periscope::rpc::internal {

// The methods one server connection has served: each one's handler (null: no such method) and,
// when the server traces, its SERVER span template. A call finds its method by comparing two
// names, instead of building a key for the server's handler table and looking up the thread's
// template cache. Bounded: past kMaxEntries methods, lookups are not remembered. Strand-confined,
// like its connection.
class ConnectionMethods {
 public:
  static constexpr size_t kMaxEntries = 32;

  struct Method {
    std::string service;
    std::string method;
    const HandlerEntry* handler = nullptr;
    SpanTemplate span;  // empty unless traced
  };

  // The entry of service/method called by `peer`, with its span template when `tracer` is set
  // (the same for every call); valid until the next Find.
  const Method& Find(const ServerImpl& server, std::string_view service, std::string_view method,
                     std::string_view peer, const trace::Tracer* tracer) {
    auto matches = [&](const Method& m) { return m.method == method && m.service == service; };
    if (last_ < methods_.size() && matches(methods_[last_])) return methods_[last_];
    for (size_t i = 0; i < methods_.size(); ++i) {
      if (matches(methods_[i])) {
        last_ = i;
        return methods_[i];
      }
    }
    Method* entry = &unremembered_;
    if (methods_.size() < kMaxEntries) {
      if (methods_.empty()) methods_.reserve(kMaxEntries);  // entries never move
      last_ = methods_.size();
      entry = &methods_.emplace_back();
    }
    entry->service.assign(service);
    entry->method.assign(method);
    entry->handler = server.FindHandler(entry->service, entry->method);
    entry->span =
        tracer ? MakeSpanTemplate(*tracer, true, service, method, peer, 0) : SpanTemplate();
    return *entry;
  }

 private:
  std::vector<Method> methods_;
  size_t last_ = 0;
  Method unremembered_;  // the answer to a lookup past the bound
};

}  // namespace periscope::rpc::internal
