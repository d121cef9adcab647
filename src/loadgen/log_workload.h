#pragma once

#include <cstdint>
#include <string>

#include "loadgen/log_corpus.h"

namespace periscope::loadgen {

struct LogWorkloadOptions {
  uint64_t seed = 1;
  uint64_t total_lines = 1'000'000;
  int lines_per_request = 1000;
  int64_t time_base_ns = 0;            // time of line 0
  int64_t line_interval_ns = 100'000;  // line j is at time_base_ns + j * line_interval_ns
  double trace_fraction = 0.2;         // lines that carry a trace and span id
  std::string environment = "bench";
};

// The Loghub replay workload: a deterministic sequence of OTLP ExportLogsServiceRequest bodies.
// Request k carries up to lines_per_request consecutive lines of data set k mod D (its
// service.name), continuing where that data set's previous request stopped and wrapping around;
// each pass over a data set varies its numbers and ids with a new key (VaryLine). Severity comes
// from the line; trace_fraction of the lines get random trace and span ids. The same options and
// corpus always give the same bytes. Not thread-safe.
class LogWorkload {
 public:
  LogWorkload(const LogCorpus& corpus, const LogWorkloadOptions& options);

  // Replaces *body with the next request (protobuf) and, when raw is not null, appends its lines
  // to *raw as text: "<RFC 3339 time> <service> [trace_id=<hex> span_id=<hex> ]<body>\n".
  // Returns the number of lines in the request; 0 once total_lines have been produced.
  size_t NextRequest(std::string* body, std::string* raw);

  uint64_t lines_done() const { return next_line_; }
  uint64_t requests_done() const { return next_request_; }

 private:
  const LogCorpus& corpus_;
  LogWorkloadOptions options_;
  std::vector<uint64_t> cursors_;  // per data set: lines taken so far (all passes)
  uint64_t next_line_ = 0;
  uint64_t next_request_ = 0;
  std::string records_;  // scratch: encoded LogRecords of the request being built
  std::string text_;     // scratch: one varied line
};

}  // namespace periscope::loadgen
