#include "rpc/span_template_cache.h"

namespace periscope::rpc::internal {
namespace {

constexpr const char* kRpcSystem = "periscope";

trace::Attributes MakeAttributes(bool server, std::string_view service, std::string_view method,
                                 std::string_view peer, uint16_t port) {
  trace::Attributes attributes;
  attributes.reserve(6);
  attributes.emplace_back("rpc.system", kRpcSystem);
  attributes.emplace_back("rpc.service", service);
  attributes.emplace_back("rpc.method", method);
  attributes.emplace_back(std::string(kRpcStatusCodeKey), int64_t{0});
  if (server) {
    if (!peer.empty()) attributes.emplace_back("client.address", peer);
  } else {
    attributes.emplace_back("server.address", peer);
    if (port != 0) attributes.emplace_back("server.port", int64_t{port});
  }
  return attributes;
}

}  // namespace

const std::string& SpanTemplate::name() const {
  static const std::string kNone;
  return shape ? shape->name() : kNone;
}

const std::shared_ptr<const trace::Attributes>& SpanTemplate::attributes() const {
  static const std::shared_ptr<const trace::Attributes> kNone;
  return shape ? shape->attributes() : kNone;
}

SpanTemplate MakeSpanTemplate(const trace::Tracer& tracer, bool server, std::string_view service,
                              std::string_view method, std::string_view peer, uint16_t port) {
  std::string name;
  name.append(service).append(1, '/').append(method);
  return SpanTemplate{
      tracer.MakeSpanShape(name, server ? trace::SpanKind::kServer : trace::SpanKind::kClient,
                           MakeAttributes(server, service, method, peer, port))};
}

SpanTemplateCache& SpanTemplateCache::ForThisThread() {
  thread_local SpanTemplateCache cache;
  return cache;
}

const SpanTemplate& SpanTemplateCache::FindOrAdd(const trace::Tracer& tracer, bool server,
                                                 std::string_view service, std::string_view method,
                                                 std::string_view peer, uint16_t port) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].Matches(tracer, server, service, method, peer, port)) {
      last_ = i;
      return entries_[i].span;
    }
  }
  Entry entry{server,
              std::string(service),
              std::string(method),
              std::string(peer),
              port,
              MakeSpanTemplate(tracer, server, service, method, peer, port)};
  if (entries_.size() < kMaxEntries) {
    last_ = entries_.size();
    entries_.push_back(std::move(entry));
  } else {
    last_ = replace_;
    entries_[replace_] = std::move(entry);
    replace_ = (replace_ + 1) % kMaxEntries;
  }
  return entries_[last_].span;
}

}  // namespace periscope::rpc::internal
