#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "coordinator.h"
#include "local_cluster.h"
#include "word_count.h"

namespace mapreduce {
namespace {

namespace asio = boost::asio;
namespace rpc = periscope::rpc;

template <class T>
asio::awaitable<void> StoreResult(asio::awaitable<rpc::Result<T>> op,
                                  std::optional<rpc::Result<T>>* out) {
  out->emplace(co_await std::move(op));
}

template <class T>
rpc::Result<T> RunToCompletion(asio::awaitable<rpc::Result<T>> op) {
  asio::io_context io;
  std::optional<rpc::Result<T>> out;
  asio::co_spawn(io, StoreResult(std::move(op), &out), asio::detached);
  io.run();
  return out ? std::move(*out) : rpc::Result<T>(rpc::InternalError("did not finish"));
}

rpc::Result<JobResult> RunOnCluster(JobSpec spec) {
  return RunToCompletion(RunJob(std::move(spec)));
}

// Files whose lines straddle every chunk boundary: lines of varying length, with and without a
// trailing newline, and one empty file.
std::vector<std::string> WriteSampleFiles(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> paths;
  for (int f = 0; f < 4; ++f) {
    std::string path = (dir / ("part-" + std::to_string(f) + ".txt")).string();
    std::ofstream out(path, std::ios::binary);
    for (int line = 0; line < 300 * f; ++line) {
      out << "Alpha beta" << std::string(static_cast<size_t>(line % 17), 'x') << " gamma-" << line
          << " DELTA word" << (line % 7 == 0 ? "" : " Beta") << "\n";
    }
    if (f == 3) out << "tail without newline";
    paths.push_back(path);
  }
  return paths;
}

TEST(WordCountTest, CountsLowercasedLetterRuns) {
  WordCounts counts;
  EXPECT_EQ(CountWords("Foo-bar foo42BAR\tbaz", counts), 5u);
  EXPECT_EQ(counts["foo"], 2u);
  EXPECT_EQ(counts["bar"], 2u);
  EXPECT_EQ(counts["baz"], 1u);
}

TEST(WordCountTest, ChunksTilingAFileCountEveryLineOnce) {
  auto dir = std::filesystem::temp_directory_path() / ("mr-chunks-" + std::to_string(getpid()));
  std::vector<std::string> files = WriteSampleFiles(dir);
  const std::string& path = files[3];
  uint64_t size = std::filesystem::file_size(path);
  for (uint64_t chunk : std::vector<uint64_t>{1, 7, 64, 1000, size}) {
    WordCounts tiled;
    for (uint64_t begin = 0; begin < size; begin += chunk) {
      ASSERT_TRUE(CountChunk(path, begin, std::min(size, begin + chunk), tiled).ok());
    }
    EXPECT_EQ(tiled, *CountFiles({path})) << "chunk " << chunk;
  }
  std::filesystem::remove_all(dir);
}

TEST(MapReduceTest, DistributedCountEqualsSingleProcessCount) {
  auto dir = std::filesystem::temp_directory_path() / ("mr-job-" + std::to_string(getpid()));
  LocalCluster cluster;
  ASSERT_TRUE(cluster.Start(3).ok());
  JobSpec spec;
  spec.files = WriteSampleFiles(dir);
  spec.worker_ports = cluster.ports();
  spec.partitions = 5;
  spec.chunk_bytes = 997;
  rpc::Result<JobResult> result = RunOnCluster(spec);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GT(result->map_tasks, 30u);
  EXPECT_EQ(result->counts, *CountFiles(spec.files));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(cluster.worker(i).held_partitions(), 0u);
  std::filesystem::remove_all(dir);
}

TEST(MapReduceTest, LoghubSampleCountEqualsSingleProcessCount) {
  const std::string data = std::string(PERISCOPE_SOURCE_DIR) + "/../shared/data/loghub";
  if (!std::filesystem::is_directory(data)) GTEST_SKIP() << "no Loghub sample at " << data;
  rpc::Result<std::vector<std::string>> files = ListInputs(data);
  ASSERT_TRUE(files.ok());
  LocalCluster cluster;
  ASSERT_TRUE(cluster.Start(4).ok());
  JobSpec spec;
  spec.files = *files;
  spec.worker_ports = cluster.ports();
  spec.chunk_bytes = 128 * 1024;
  rpc::Result<JobResult> result = RunOnCluster(spec);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  rpc::Result<WordCounts> reference = CountFiles(*files);
  ASSERT_TRUE(reference.ok());
  EXPECT_EQ(result->counts.size(), reference->size());
  EXPECT_TRUE(result->counts == *reference);
  uint64_t total = 0;
  for (const auto& [word, n] : *reference) total += n;
  EXPECT_EQ(result->words, total);
}

TEST(MapReduceTest, MissingInputFailsWithNotFound) {
  LocalCluster cluster;
  ASSERT_TRUE(cluster.Start(2).ok());
  JobSpec spec;
  spec.files = {"/nonexistent/input.log"};
  spec.worker_ports = cluster.ports();
  rpc::Result<JobResult> result = RunOnCluster(spec);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), rpc::StatusCode::kNotFound);
}

TEST(MapReduceTest, UnreachableWorkerFailsWithUnavailable) {
  auto dir = std::filesystem::temp_directory_path() / ("mr-dead-" + std::to_string(getpid()));
  LocalCluster cluster;
  ASSERT_TRUE(cluster.Start(1).ok());
  uint16_t dead_port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    dead_port = probe.local_endpoint().port();
  }  // closed: connecting to it is refused
  JobSpec spec;
  spec.files = WriteSampleFiles(dir);
  spec.worker_ports = {cluster.ports()[0], dead_port};
  rpc::Result<JobResult> result = RunOnCluster(spec);  // returns: the open channel is closed
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), rpc::StatusCode::kUnavailable);
  std::filesystem::remove_all(dir);
}

TEST(MapReduceTest, FetchOfUnknownTaskIsNotFound) {
  WorkerService service;
  FetchRequest request;
  request.job_id = "j";
  request.task_ids = {42};
  rpc::Result<WordCounts> taken = service.TakePartition(request);
  EXPECT_EQ(taken.status().code(), rpc::StatusCode::kNotFound);
}

}  // namespace
}  // namespace mapreduce
