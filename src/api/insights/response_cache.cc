#include "api/insights/response_cache.h"

#include <utility>

#include "api/insights/insights_params.h"
#include "base/time.h"

namespace periscope {

ResponseCache::ResponseCache() : ResponseCache(Options()) {}

ResponseCache::ResponseCache(Options options) : options_(std::move(options)) {}

int64_t ResponseCache::Now() const { return options_.clock ? options_.clock() : NowNanos(); }

std::optional<std::string> ResponseCache::KeyOf(const HttpRequest& req) const {
  if (req.method != "GET") return std::nullopt;
  std::string key = req.Tenant();
  key.push_back('\0');
  key += req.path;
  // params is ordered by name (then insertion), so equal requests give equal keys.
  for (const auto& [name, value] : req.params) {
    key.push_back('\0');
    key += name;
    key.push_back('=');
    if (name == "start" || name == "end") {
      auto t = ParseInsightsTime(name, value);
      if (!t.ok()) return std::nullopt;
      const int64_t bucket = options_.time_bucket_ns > 0 ? options_.time_bucket_ns : 1;
      int64_t rounded = *t / bucket * bucket;
      if (*t < 0 && *t % bucket != 0) rounded -= bucket;
      key += std::to_string(rounded);
    } else {
      key += value;
    }
  }
  return key;
}

std::optional<HttpResponse> ResponseCache::Get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (Now() - it->second.stored_ns >= options_.ttl_ns) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.response;
}

void ResponseCache::Put(const std::string& key, const HttpResponse& response) {
  if (response.status != 200 || response.stream || response.body.size() > options_.max_body_bytes ||
      options_.max_entries == 0) {
    return;
  }
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  while (entries_.size() >= options_.max_entries) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{response, Now(), lru_.begin()});
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

HttpHandler CachedHandler(std::shared_ptr<ResponseCache> cache, HttpHandler handler) {
  return [cache = std::move(cache), handler = std::move(handler)](HttpRequest& req) {
    std::optional<std::string> key = cache->KeyOf(req);
    if (!key) return handler(req);
    if (std::optional<HttpResponse> hit = cache->Get(*key)) return *std::move(hit);
    HttpResponse response = handler(req);
    cache->Put(*key, response);
    return response;
  };
}

}  // namespace periscope
