#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "periscope/trace/tracer.h"
#include "word_count.h"

namespace mapreduce {

// One word-count job: the input files, the workers (host:port pairs) and the split.
struct JobSpec {
  std::string job_id = "job";
  std::vector<std::string> files;
  std::string host = "127.0.0.1";
  std::vector<uint16_t> worker_ports;
  uint32_t partitions = 0;  // 0: one per worker
  uint64_t chunk_bytes = 256 * 1024;
};

struct JobResult {
  WordCounts counts;
  uint64_t map_tasks = 0;
  uint64_t words = 0;  // as counted by the map tasks
};

// Splits the files into chunks, runs the map tasks on the workers (each worker pulls the next
// chunk when it finishes one), then one reduce task per partition (partition p on worker p mod
// W), and merges the partitions. With a tracer the job is one trace: a "wordcount job" span is
// the parent of every Map and Reduce call (and, through the reducers, of their Fetch calls).
// Fails with the first failed task; INVALID_ARGUMENT for a spec without workers; NOT_FOUND for a
// missing input file. Run it on an io_context driven by one thread.
boost::asio::awaitable<periscope::rpc::Result<JobResult>> RunJob(
    JobSpec spec, std::optional<periscope::trace::Tracer> tracer = std::nullopt);

}  // namespace mapreduce
