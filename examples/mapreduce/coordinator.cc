#include "coordinator.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <memory>

#include "mapreduce_api.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace mapreduce {
namespace {

namespace asio = boost::asio;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;

struct Chunk {
  std::string path;
  uint64_t begin = 0;
  uint64_t end = 0;
};

rpc::Result<std::vector<Chunk>> SplitFiles(const std::vector<std::string>& files,
                                           uint64_t chunk_bytes) {
  std::vector<Chunk> chunks;
  for (const std::string& path : files) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) return rpc::Status(rpc::StatusCode::kNotFound, "cannot stat " + path);
    for (uint64_t begin = 0; begin < size; begin += chunk_bytes) {
      chunks.push_back({path, begin, std::min(size, begin + chunk_bytes)});
    }
  }
  return chunks;
}

// Runs every awaitable concurrently on the current executor; returns the first error, after
// all of them finished.
asio::awaitable<rpc::Status> WaitAll(std::vector<asio::awaitable<rpc::Status>> tasks) {
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  struct Join {
    explicit Join(asio::any_io_executor ex) : done(std::move(ex)) {}
    asio::steady_timer done;
    size_t pending = 0;
    rpc::Status first_error;
  };
  auto join = std::make_shared<Join>(executor);
  join->done.expires_at(asio::steady_timer::time_point::max());
  join->pending = tasks.size();
  for (auto& task : tasks) {
    asio::co_spawn(executor, std::move(task), [join](std::exception_ptr e, rpc::Status st) {
      if (e) st = rpc::InternalError("task threw");
      if (!st.ok() && join->first_error.ok()) join->first_error = st;
      if (--join->pending == 0) join->done.cancel();
    });
  }
  if (join->pending > 0) co_await join->done.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return join->first_error;
}

struct MapState {
  std::string job_id;
  uint32_t partitions = 0;
  std::vector<Chunk> chunks;
  size_t next = 0;
  uint64_t words = 0;
  std::vector<std::vector<uint64_t>> tasks_by_worker;
  std::optional<pt::Context> trace_parent;  // the job span, when tracing
};

// One worker's map loop: takes the next chunk until none is left. The io_context runs the
// coordinator on one thread, so `state` needs no lock.
asio::awaitable<rpc::Status> MapLoop(rpc::Client<Worker> worker, size_t index,
                                     std::shared_ptr<MapState> state) {
  while (state->next < state->chunks.size()) {
    const uint64_t task_id = state->next++;
    const Chunk& chunk = state->chunks[task_id];
    MapTask task;
    task.job_id = state->job_id;
    task.task_id = task_id;
    task.path = chunk.path;
    task.begin = chunk.begin;
    task.end = chunk.end;
    task.partitions = state->partitions;
    rpc::CallOptions options;
    options.timeout = std::chrono::seconds(60);
    options.trace_parent = state->trace_parent;
    rpc::Result<MapResult> done =
        co_await worker.Call<Worker::Map>(std::move(task), std::move(options));
    if (!done.ok()) co_return done.status();
    state->words += done->words;
    state->tasks_by_worker[index].push_back(task_id);
  }
  co_return rpc::Status::Ok();
}

asio::awaitable<rpc::Status> ReduceOne(rpc::Client<Worker> worker, ReduceTask task,
                                       std::shared_ptr<WordCounts> out,
                                       std::optional<pt::Context> trace_parent) {
  rpc::CallOptions options;
  options.timeout = std::chrono::seconds(60);
  options.trace_parent = std::move(trace_parent);
  rpc::Result<ReduceResult> reduced =
      co_await worker.Call<Worker::Reduce>(std::move(task), std::move(options));
  if (!reduced.ok()) co_return reduced.status();
  MergeCounts(reduced->counts, *out);
  co_return rpc::Status::Ok();
}

std::shared_ptr<pt::Span> StartJobSpan(const pt::Tracer& tracer, const JobSpec& spec) {
  pt::StartSpanOptions options;
  options.attributes.emplace_back("mapreduce.job_id", spec.job_id);
  options.attributes.emplace_back("mapreduce.files", static_cast<int64_t>(spec.files.size()));
  options.attributes.emplace_back("mapreduce.workers",
                                  static_cast<int64_t>(spec.worker_ports.size()));
  return tracer.StartSpan("wordcount job", std::move(options));
}

void EndJobSpan(const std::shared_ptr<pt::Span>& span, const rpc::Result<JobResult>& result) {
  if (result.ok()) {
    span->SetAttribute("mapreduce.map_tasks", static_cast<int64_t>(result->map_tasks));
    span->SetAttribute("mapreduce.distinct_words", static_cast<int64_t>(result->counts.size()));
  } else {
    span->SetStatus(pt::StatusCode::kError, result.status().ToString());
  }
  span->End();
}

asio::awaitable<rpc::Result<JobResult>> RunJobTraced(JobSpec spec, std::optional<pt::Tracer> tracer,
                                                     std::optional<pt::Context> trace_parent) {
  if (spec.worker_ports.empty()) co_return rpc::InvalidArgumentError("no workers");
  if (spec.chunk_bytes == 0) co_return rpc::InvalidArgumentError("chunk_bytes must be positive");
  const size_t workers = spec.worker_ports.size();
  auto state = std::make_shared<MapState>();
  state->job_id = spec.job_id;
  state->partitions = spec.partitions == 0 ? static_cast<uint32_t>(workers) : spec.partitions;
  state->tasks_by_worker.resize(workers);
  state->trace_parent = trace_parent;
  rpc::Result<std::vector<Chunk>> chunks = SplitFiles(spec.files, spec.chunk_bytes);
  if (!chunks.ok()) co_return chunks.status();
  state->chunks = std::move(*chunks);

  asio::any_io_executor executor = co_await asio::this_coro::executor;
  std::vector<rpc::Client<Worker>> clients;
  // Every connection closes when the job ends, on error paths too (an open channel keeps the
  // caller's io_context running).
  struct CloseAll {
    std::vector<rpc::Client<Worker>>& clients;
    ~CloseAll() {
      for (const auto& client : clients) client.channel().Close();
    }
  } close_all{clients};
  for (uint16_t port : spec.worker_ports) {
    rpc::ChannelOptions options;
    options.tracer = tracer;
    rpc::Result<rpc::Channel> channel =
        co_await rpc::Channel::ConnectTcp(executor, spec.host, port, std::move(options));
    if (!channel.ok()) co_return channel.status();
    clients.emplace_back(*channel);
  }

  std::vector<asio::awaitable<rpc::Status>> maps;
  for (size_t i = 0; i < workers; ++i) maps.push_back(MapLoop(clients[i], i, state));
  rpc::Status mapped = co_await WaitAll(std::move(maps));
  if (!mapped.ok()) co_return mapped;

  auto counts = std::make_shared<WordCounts>();
  std::vector<asio::awaitable<rpc::Status>> reduces;
  for (uint32_t p = 0; p < state->partitions; ++p) {
    ReduceTask task;
    task.job_id = spec.job_id;
    task.partition = p;
    for (size_t w = 0; w < workers; ++w) {
      if (state->tasks_by_worker[w].empty()) continue;
      MapOutputSource source;
      source.host = spec.host;
      source.port = spec.worker_ports[w];
      source.task_ids = state->tasks_by_worker[w];
      task.sources.push_back(std::move(source));
    }
    reduces.push_back(ReduceOne(clients[p % workers], std::move(task), counts, trace_parent));
  }
  rpc::Status reduced = co_await WaitAll(std::move(reduces));
  if (!reduced.ok()) co_return reduced;

  JobResult result;
  result.counts = std::move(*counts);
  result.map_tasks = state->chunks.size();
  result.words = state->words;
  co_return result;
}

}  // namespace

asio::awaitable<rpc::Result<JobResult>> RunJob(JobSpec spec, std::optional<pt::Tracer> tracer) {
  if (!tracer) co_return co_await RunJobTraced(std::move(spec), std::nullopt, std::nullopt);
  std::shared_ptr<pt::Span> span = StartJobSpan(*tracer, spec);
  std::optional<pt::Context> parent = pt::Context().WithSpan(span);
  rpc::Result<JobResult> result = co_await RunJobTraced(std::move(spec), tracer, parent);
  EndJobSpan(span, result);
  co_return result;
}

}  // namespace mapreduce
