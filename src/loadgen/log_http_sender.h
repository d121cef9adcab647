#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "loadgen/load_run.h"

namespace periscope::loadgen {

// One complete HTTP/1.1 request (head + body) carrying `items` records (log lines, samples).
struct HttpRequestBytes {
  std::string wire;
  size_t body_size = 0;
  uint64_t items = 0;
};

// Produces the requests of one load run in a fixed order. Called only from the sending thread.
class HttpRequestSource {
 public:
  virtual ~HttpRequestSource() = default;
  // The next request, or nullopt when every request has been handed out.
  virtual std::optional<HttpRequestBytes> Next() = 0;
};

// "POST <path>" request head for a body of `body_size` bytes; `extra_headers` are complete
// "Name: value\r\n" lines.
std::string HttpPostHead(std::string_view host_port, std::string_view path,
                         std::string_view content_type, std::string_view extra_headers,
                         size_t body_size);

// How the answers of a run are judged. Any 2xx is success; `rejected_items` (optional) reads the
// number of rejected records from a 2xx body (e.g. an OTLP partial success).
struct HttpAnswerRules {
  std::function<uint64_t(std::string_view body)> rejected_items;
};

// Sends the source's requests to `host_port` over `connections` keep-alive connections, one
// request in flight per connection, on the calling thread, until the source is exhausted or `run`
// says stop. A failed request (connect/IO error, non-2xx) is tallied in `run` and sent again on a
// fresh connection after a back-off. InvalidArgument when the target does not resolve.
Status RunHttpRequests(const std::string& host_port, int connections, HttpRequestSource& source,
                       const HttpAnswerRules& rules, LoadRun& run);

}  // namespace periscope::loadgen
