#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/log_batch.h"

namespace periscope {

// What a log part holds, kept in its footer and readable without touching the columns.
struct LogPartMeta {
  uint64_t part_id = 0;
  std::string tenant = "default";
  uint32_t level = 0;  // 0 = flushed from the memtable; merges raise it
  uint64_t rows = 0;
  int64_t min_time_ns = 0;
  int64_t max_time_ns = 0;
  uint64_t max_wal_seq = 0;           // every WAL record with seq <= this is in this part or older
  std::vector<uint64_t> replaces;     // part ids this part was merged from
  std::vector<std::string> services;  // distinct services, sorted
};

// One block of a log part: rows of one service, sorted by time. Value type.
struct LogBlockInfo {
  uint32_t rows = 0;
  int64_t min_time_ns = 0;
  int64_t max_time_ns = 0;
  std::string service;
};

// How a part is written: flushes favour speed, merges size.
struct LogPartWriteOptions {
  int zstd_level = 3;
  bool split_variables = true;  // template + typed variables for bodies (else plain text)
  uint32_t format_version = 2;  // 1 (all-digit tokens not in blooms) only to test old parts
};

// Writes `rows` as an immutable log part at `path`: rows sorted by (service, time), blocks of
// one service, every column chunk zstd-compressed with a CRC, a token bloom per block over the
// body and string attribute values, and a footer with meta, resources and the block index.
// Writes path + ".tmp", fsyncs, renames and fsyncs the directory; meta.rows, times and services
// are filled from the rows. Fails on I/O errors (nothing is left at `path` then).
Status WriteLogPart(const std::string& path, LogBatch rows, const LogPartMeta& meta,
                    const LogPartWriteOptions& options = {});
// The same for the rows of several batches (e.g. a frozen memtable), read in place: no row is
// copied or moved. Equal resources and scopes of different batches are stored once.
Status WriteLogPart(const std::string& path, const std::vector<const LogBatch*>& sources,
                    const LogPartMeta& meta, const LogPartWriteOptions& options = {});

// An open, immutable log part file. Thread-safe for concurrent reads.
class LogPart {
 public:
  virtual ~LogPart() = default;

  // Opens (mmap) and validates the footer; Corruption on any mismatch.
  static Result<std::shared_ptr<LogPart>> Open(const std::string& path);

  virtual const LogPartMeta& meta() const = 0;
  virtual const std::string& path() const = 0;
  virtual uint64_t file_bytes() const = 0;
  virtual const std::vector<LogBlockInfo>& blocks() const = 0;

  // The part's format version (log_part_format.h).
  virtual uint32_t format_version() const = 0;
  // True when the blooms hold all-digit tokens too (format 2 on); else a search must not ask
  // them for all-digit tokens.
  bool BloomHasNumericTokens() const { return format_version() >= 2; }

  // False when block `block` certainly holds none of the tokens with these hashes in its body
  // or string attribute values (all must be present).
  virtual bool BlockMayContainAll(size_t block,
                                  const std::vector<uint64_t>& token_hashes) const = 0;

  // Decodes block `block` into *out (replacing it); Corruption when a chunk fails its checksum
  // or does not decode.
  virtual Status ReadBlock(size_t block, LogBatch* out) const = 0;
  // Like ReadBlock, but only rows `rows` (ascending indexes into the block), in that order:
  // every column is checked, only the selected rows are built. InvalidArgument for a bad
  // selection.
  virtual Status ReadBlockRows(size_t block, const std::vector<uint32_t>& rows,
                               LogBatch* out) const = 0;

  // Checks and decompresses column chunk `column` (a logs::LogColumn) of block `block` into *out;
  // Corruption as ReadBlock.
  virtual Status ReadColumn(size_t block, uint32_t column, std::string* out) const = 0;
  // The resources and scopes that rows refer to by index.
  virtual const std::vector<Resource>& resources() const = 0;
};

}  // namespace periscope
