#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "loadgen/load_generator.h"
#include "loadgen/log_http_sender.h"
#include "loadgen/metric_workload.h"

namespace periscope::loadgen {

struct MetricLoadOptions {
  std::string target = "127.0.0.1:7070";  // remote-write receiver, host:port
  std::string path = "/api/v1/write";
  int connections = 4;
  MetricWorkloadOptions workload;
};

// Block compression of a request body (snappy for remote write); supplied by the caller so that
// this library does not link the codec.
using BodyCompressor = std::function<std::string(std::string_view)>;

// Every request of the workload as complete remote-write 1.0 HTTP requests (compressed body,
// Content-Encoding: snappy), in send order. InvalidArgument on bad options.
Result<std::vector<HttpRequestBytes>> BuildRemoteWriteRequests(const MetricLoadOptions& options,
                                                               const BodyCompressor& compress);

// Sends pre-built requests in order over options.connections keep-alive connections from the
// calling thread; samples of 2xx answers count in the report's spans_acked. A failed request is
// retried. Unavailable when no request succeeded.
Result<LoadReport> SendPrebuiltRequests(const MetricLoadOptions& options,
                                        std::vector<HttpRequestBytes>& requests);

}  // namespace periscope::loadgen
