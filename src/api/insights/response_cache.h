#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/http_types.h"
#include "api/router.h"

namespace periscope {

// A short-lived cache of successful GET answers of the UI's overview endpoints, keyed by tenant,
// path and parameters with `start`/`end` rounded down to `time_bucket_ns`: reloading a page (or
// several people opening it) within `ttl_ns` costs one computation. An answer may thus be up to
// ttl_ns old and for a range up to time_bucket_ns earlier than asked. Least recently used entries
// are dropped beyond max_entries. Thread-safe.
class ResponseCache {
 public:
  struct Options {
    int64_t ttl_ns = 5'000'000'000;
    int64_t time_bucket_ns = 5'000'000'000;
    size_t max_entries = 128;
    size_t max_body_bytes = 4u << 20;  // larger answers are not kept
    std::function<int64_t()> clock;    // default NowNanos
  };

  ResponseCache();
  explicit ResponseCache(Options options);

  // The cache key of `req`, or nullopt when it is not cacheable (not a GET, or a start/end that
  // does not parse: the handler answers those itself).
  std::optional<std::string> KeyOf(const HttpRequest& req) const;
  // The answer kept under `key` if younger than the TTL.
  std::optional<HttpResponse> Get(const std::string& key);
  // Keeps `response` under `key` when it is a complete 200 answer of at most max_body_bytes.
  void Put(const std::string& key, const HttpResponse& response);
  size_t size() const;

 private:
  struct Entry {
    HttpResponse response;
    int64_t stored_ns = 0;
    std::list<std::string>::iterator lru;
  };

  int64_t Now() const;

  const Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
};

// `handler` answering from `cache` when it can, and filling it otherwise.
HttpHandler CachedHandler(std::shared_ptr<ResponseCache> cache, HttpHandler handler);

}  // namespace periscope
