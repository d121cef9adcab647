#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "loadgen/load_generator.h"
#include "loadgen/log_corpus.h"
#include "loadgen/log_workload.h"

namespace periscope::loadgen {

struct LogLoadOptions {
  std::string target = "127.0.0.1:4318";  // OTLP/HTTP receiver, host:port
  std::string path = "/v1/logs";
  int connections = 8;
  double duration_seconds = 0;  // a cap; <= 0: until every line is sent
  LogWorkloadOptions workload;
};

// Sends the Loghub replay workload (every line of it) as OTLP/HTTP protobuf to options.target
// from the calling thread, counting acknowledged lines (2xx minus partial-success rejections) in
// the report's spans_acked. Requests are encoded while sending. InvalidArgument on bad options;
// Unavailable when no request succeeded.
Result<LoadReport> RunLogLoad(const LogCorpus& corpus, const LogLoadOptions& options);

// Writes the workload's lines as text (LogWorkload::NextRequest's raw form) to `path`; returns
// the number of lines. IOError when the file cannot be written.
Result<uint64_t> WriteLogText(const LogCorpus& corpus, const LogWorkloadOptions& options,
                              const std::string& path);

// "<n> lines acked in <s> s = <r> lines/s; requests ok <k> failed <f>; <mb> MB sent (<b> B/line);
// latency p50 <x> ms p99 <y> ms".
std::string LogReportLine(const LoadReport& report, std::string_view unit);

}  // namespace periscope::loadgen
