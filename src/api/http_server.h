#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/router.h"
#include "base/status.h"

namespace periscope {

struct HttpServerOptions {
  std::string listen = "0.0.0.0:7070";  // host:port; port 0 picks a free port
  size_t io_threads = 2;
  size_t worker_threads = 16;         // handlers may block (e.g. on WAL fsync)
  size_t max_body_bytes = 20u << 20;  // larger bodies get 413
  int idle_timeout_seconds = 120;
};

// HTTP/1.1 server on Boost.Beast with keep-alive and CORS; handlers run on a worker pool.
// Start/Stop from one thread; serving is multi-threaded.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; IOError when the address cannot be bound.
  Status Start();
  void Stop();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" ("[::1]:80" too); false when malformed.
bool SplitHostPort(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace periscope
