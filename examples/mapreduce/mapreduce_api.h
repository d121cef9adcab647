#pragma once

// The RPC service every mapreduce worker serves, and its messages.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "periscope/rpc.h"
#include "word_count.h"

namespace mapreduce {

// Count the words of one chunk of a file and keep them, split into `partitions` parts.
struct MapTask {
  std::string job_id;
  uint64_t task_id = 0;
  std::string path;
  uint64_t begin = 0;
  uint64_t end = 0;
  uint32_t partitions = 1;
};
struct MapResult {
  uint64_t task_id = 0;
  uint64_t words = 0;
};

// Hand over (and forget) the counts of one partition of some map tasks run by this worker,
// streamed as batches of at most kFetchBatchWords words.
struct FetchRequest {
  std::string job_id;
  uint32_t partition = 0;
  std::vector<uint64_t> task_ids;
};
struct WordBatch {
  std::vector<std::pair<std::string, uint64_t>> words;
};
inline constexpr size_t kFetchBatchWords = 4096;

// Where the map outputs of a partition are: a worker and the tasks it ran.
struct MapOutputSource {
  std::string host;
  uint16_t port = 0;
  std::vector<uint64_t> task_ids;
};
// Fetch one partition from every source, sum it, return the partition's final counts.
struct ReduceTask {
  std::string job_id;
  uint32_t partition = 0;
  std::vector<MapOutputSource> sources;
};
struct ReduceResult {
  uint32_t partition = 0;
  WordCounts counts;
};

struct Worker {
  RPC_SERVICE("mapreduce.Worker");
  RPC_METHOD(Map, MapResult(MapTask));
  RPC_SERVER_STREAM(Fetch, WordBatch(FetchRequest));
  RPC_METHOD(Reduce, ReduceResult(ReduceTask));
};

}  // namespace mapreduce
