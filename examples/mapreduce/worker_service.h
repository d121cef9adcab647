#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mapreduce_api.h"
#include "periscope/trace/tracer.h"

namespace mapreduce {

// Implements mapreduce.Worker: runs map tasks over files on the shared filesystem, keeps their
// partitioned output until reducers fetch it, and runs reduce tasks by fetching partitions from
// the other workers over RPC. Thread-safe.
class WorkerService {
 public:
  explicit WorkerService(std::optional<periscope::trace::Tracer> tracer = std::nullopt)
      : tracer_(std::move(tracer)) {}

  // NOT_FOUND when the file cannot be read; INVALID_ARGUMENT for zero partitions or a chunk
  // whose end is before its begin; ALREADY_EXISTS when the task already ran in this job.
  boost::asio::awaitable<periscope::rpc::Result<MapResult>> Map(MapTask task);
  // Streams the summed counts of the partition; NOT_FOUND (before any batch) for a task this
  // worker does not hold (never ran, or the partition was fetched already).
  boost::asio::awaitable<periscope::rpc::Status> Fetch(
      FetchRequest request, periscope::rpc::ServerWriter<WordBatch>& writer);
  // Takes the summed counts of a partition out of the held map outputs; NOT_FOUND as Fetch.
  periscope::rpc::Result<WordCounts> TakePartition(const FetchRequest& request);
  // Fails with the first failed fetch (UNAVAILABLE when a source worker cannot be reached).
  boost::asio::awaitable<periscope::rpc::Result<ReduceResult>> Reduce(
      ReduceTask task, const periscope::rpc::CallContext& context);

  // Map outputs currently held (partitions not fetched yet), for tests.
  size_t held_partitions() const;

 private:
  using TaskKey = std::pair<std::string, uint64_t>;  // job id, task id

  mutable std::mutex mu_;
  std::map<TaskKey, std::vector<std::optional<WordCounts>>> outputs_;  // by partition
  std::optional<periscope::trace::Tracer> tracer_;
};

}  // namespace mapreduce
