#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "model/metric_batch.h"
#include "storage/metrics/metric_table.h"
#include "storage/wal/wal.h"

namespace periscope {

struct MetricsPipelineOptions {
  std::string data_dir;  // WAL in <data_dir>/wal-metrics, parts in <data_dir>/metrics
  bool wal_fsync = true;
  int64_t retention_ms = 30LL * 86400 * 1000;
  int64_t flush_interval_ns = 60LL * 1000000000LL;
  size_t memtable_bytes = 256u << 20;
  int64_t maintenance_interval_ns = 1LL * 1000000000LL;
};

// The durable path of metric samples: WAL append (acknowledge after fsync), memtable insert, and
// background flush, merge and retention of the metric table. Thread-safe.
class MetricsPipeline {
 public:
  // Opens the table and the WAL and replays every WAL record not yet in a part.
  static Result<std::unique_ptr<MetricsPipeline>> Open(const MetricsPipelineOptions& options);
  ~MetricsPipeline();

  // Makes the request durable (WAL record `type` with `wal_payload`, the request protobuf), then
  // queryable. On error nothing is acknowledged. An empty batch is a no-op.
  Status Ingest(MetricBatch batch, WalRecordType type, std::string_view wal_payload);

  void StartBackground();
  // Stops the background thread and flushes the memtable.
  void Stop();
  Status Flush();

  const MetricTable& table() const { return *table_; }
  MetricTable& table() { return *table_; }

 private:
  explicit MetricsPipeline(MetricsPipelineOptions options) : options_(std::move(options)) {}
  Status Replay();
  void BackgroundLoop();

  MetricsPipelineOptions options_;
  std::unique_ptr<MetricTable> table_;
  std::unique_ptr<Wal> wal_;
  std::shared_mutex ingest_mu_;
  std::mutex flush_mu_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;
  std::thread background_;
  int64_t last_flush_ns_ = 0;
};

// Decodes one metrics WAL record payload (tenant + protobuf) back into a batch; InvalidArgument
// when it does not decode.
Result<MetricBatch> DecodeMetricsWalRecord(WalRecordType type, std::string_view payload);

}  // namespace periscope
