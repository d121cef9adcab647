#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/metrics.h"
#include "base/status.h"
#include "ingest/promrw/remote_write_decoder.h"
#include "model/metric_batch.h"
#include "server/table_adapter.h"
#include "server/table_driver.h"
#include "storage/metrics/metric_table.h"
#include "storage/wal/shared_wal.h"

namespace periscope {

struct MetricsPipelineOptions {
  int64_t retention_ms = 30LL * 86400 * 1000;
  TableDriverOptions driver;  // flush, merge and backpressure settings; name and signal are set
};

// The durable path of metric samples: append to the shared WAL (acknowledge after fsync),
// memtable insert, and background flush, merge and retention of the metric table. Thread-safe.
class MetricsPipeline {
 public:
  // Opens the table of this signal in dir.
  static Result<std::unique_ptr<MetricTable>> OpenTable(const std::string& dir,
                                                        const MetricsPipelineOptions& options);
  // Appends to wal; SignalStore builds it.
  MetricsPipeline(MetricsPipelineOptions options, std::unique_ptr<MetricTable> table,
                  SharedWal& wal);

  // Makes the request durable (WAL record `type` with `wal_payload`, the request protobuf), then
  // queryable. On error nothing is acknowledged. An empty batch is a no-op.
  Status Ingest(MetricBatch batch, WalRecordType type, std::string_view wal_payload);
  // The same for a decoded remote-write request, whose series may be resolved already
  // (RemoteWriteResolver) and whose new series' raw label bytes are then cached.
  Status IngestRemoteWrite(const DecodedRemoteWrite& decoded);
  // Looks raw remote-write label bytes up in the table's cache of `tenant`; empty (no lookups)
  // while the tenant has no series.
  RemoteWriteSeriesResolver RemoteWriteResolver(const std::string& tenant) const;

  // WAL records with seq <= replay_after() are in parts; Replay inserts a later metrics record
  // (others are ignored) and returns the samples it inserted. Only before StartBackground.
  uint64_t replay_after() const;
  size_t Replay(uint64_t seq, WalRecordType type, std::string_view payload);

  void StartBackground() { driver_.StartBackground(); }
  void Stop() { driver_.Stop(); }  // flushes the memtable
  Status Flush() { return driver_.Flush(); }

  const MetricTable& table() const { return *table_; }
  MetricTable& table() { return *table_; }

 private:
  const MetricsPipelineOptions options_;
  SharedWal& wal_;
  std::unique_ptr<MetricTable> table_;
  TableAdapter<MetricTable> adapter_;
  TableDriver driver_;  // stopped before the table goes
  ScopedGauges gauges_;
};

// True for the record types MetricsPipeline writes.
inline bool IsMetricsWalRecord(WalRecordType type) {
  return type == WalRecordType::kOtlpMetrics || type == WalRecordType::kPromRemoteWrite;
}

// Decodes one metrics WAL record payload (tenant + protobuf) back into a batch; InvalidArgument
// when it does not decode.
Result<MetricBatch> DecodeMetricsWalRecord(WalRecordType type, std::string_view payload);

}  // namespace periscope
