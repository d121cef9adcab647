#include "worker_service.h"

#include <boost/asio/this_coro.hpp>
#include <chrono>

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace mapreduce {

namespace asio = boost::asio;
namespace rpc = periscope::rpc;

asio::awaitable<rpc::Result<MapResult>> WorkerService::Map(MapTask task) {
  if (task.partitions == 0) co_return rpc::InvalidArgumentError("partitions must be positive");
  if (task.end < task.begin) co_return rpc::InvalidArgumentError("chunk ends before it begins");
  {
    std::lock_guard lock(mu_);
    if (outputs_.contains({task.job_id, task.task_id})) {
      co_return rpc::Status(rpc::StatusCode::kAlreadyExists,
                            "task " + std::to_string(task.task_id) + " already ran");
    }
  }
  WordCounts counts;
  rpc::Result<uint64_t> words = CountChunk(task.path, task.begin, task.end, counts);
  if (!words.ok()) co_return words.status();
  std::vector<std::optional<WordCounts>> parts(task.partitions);
  for (auto& part : parts) part.emplace();
  for (auto& [word, count] : counts) {
    (*parts[PartitionOf(word, task.partitions)])[word] = count;
  }
  {
    std::lock_guard lock(mu_);
    outputs_[{task.job_id, task.task_id}] = std::move(parts);
  }
  co_return MapResult{task.task_id, *words};
}

rpc::Result<WordCounts> WorkerService::TakePartition(const FetchRequest& request) {
  std::lock_guard lock(mu_);
  for (uint64_t id : request.task_ids) {
    auto it = outputs_.find({request.job_id, id});
    if (it == outputs_.end() || request.partition >= it->second.size() ||
        !it->second[request.partition]) {
      return rpc::Status(rpc::StatusCode::kNotFound, "no output of task " + std::to_string(id) +
                                                         " partition " +
                                                         std::to_string(request.partition));
    }
  }
  WordCounts counts;
  for (uint64_t id : request.task_ids) {
    auto it = outputs_.find({request.job_id, id});
    std::optional<WordCounts>& part = it->second[request.partition];
    MergeCounts(*part, counts);
    part.reset();
    bool all_fetched = true;
    for (const auto& p : it->second) all_fetched = all_fetched && !p;
    if (all_fetched) outputs_.erase(it);
  }
  return counts;
}

asio::awaitable<rpc::Status> WorkerService::Fetch(FetchRequest request,
                                                  rpc::ServerWriter<WordBatch>& writer) {
  rpc::Result<WordCounts> counts = TakePartition(request);
  if (!counts.ok()) co_return counts.status();
  WordBatch batch;
  for (auto& [word, count] : *counts) {
    batch.words.emplace_back(word, count);
    if (batch.words.size() == kFetchBatchWords) {
      rpc::Status written = co_await writer.Write(batch);
      if (!written.ok()) co_return written;
      batch.words.clear();
    }
  }
  if (!batch.words.empty()) {
    rpc::Status written = co_await writer.Write(batch);
    if (!written.ok()) co_return written;
  }
  co_return rpc::Status::Ok();
}

asio::awaitable<rpc::Result<ReduceResult>> WorkerService::Reduce(ReduceTask task,
                                                                 const rpc::CallContext& context) {
  ReduceResult result;
  result.partition = task.partition;
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  for (const MapOutputSource& source : task.sources) {
    rpc::ChannelOptions channel_options;
    channel_options.tracer = tracer_;
    rpc::Result<rpc::Channel> channel = co_await rpc::Channel::ConnectTcp(
        executor, source.host, source.port, std::move(channel_options));
    if (!channel.ok()) co_return channel.status();
    rpc::Client<Worker> peer(*channel);
    FetchRequest fetch;
    fetch.job_id = task.job_id;
    fetch.partition = task.partition;
    fetch.task_ids = source.task_ids;
    rpc::CallOptions options;
    options.timeout = std::chrono::seconds(30);
    options.parent = &context;
    rpc::ClientReader<WordBatch> reader =
        co_await peer.ServerStream<Worker::Fetch>(std::move(fetch), std::move(options));
    rpc::Status status;
    for (;;) {
      rpc::Result<std::optional<WordBatch>> batch = co_await reader.Read();
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      if (!batch->has_value()) break;
      for (auto& [word, count] : (*batch)->words) result.counts[word] += count;
    }
    channel->Close();
    if (!status.ok()) co_return status;
  }
  co_return result;
}

size_t WorkerService::held_partitions() const {
  std::lock_guard lock(mu_);
  size_t held = 0;
  for (const auto& [key, parts] : outputs_) {
    for (const auto& p : parts) held += p.has_value();
  }
  return held;
}

}  // namespace mapreduce
