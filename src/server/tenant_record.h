#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/coding.h"
#include "base/log.h"

namespace periscope {

// The WAL record prefix naming `tenant` (the pipelines' records are this prefix + the request).
inline std::string TenantRecordPrefix(std::string_view tenant) {
  std::string prefix;
  PutLengthPrefixed(&prefix, tenant);
  return prefix;
}

// Replays one WAL record: splits off its tenant, decodes the request with
// decode(request, tenant) -> Result<Decoded> (Decoded has a `batch`), and hands the batch to
// insert. Returns the rows inserted; a record without a tenant or that does not decode is skipped
// with a warning (0).
template <typename Decode, typename Insert>
size_t ReplayTenantRecord(uint64_t seq, std::string_view payload, const Decode& decode,
                          const Insert& insert) {
  ByteReader reader(payload);
  std::string_view tenant;
  if (!reader.GetLengthPrefixed(&tenant)) {
    LogWarn("WAL record {} has no tenant; skipped", seq);
    return 0;
  }
  auto decoded = decode(std::string_view(reader.position(), reader.remaining()), tenant);
  if (!decoded.ok()) {
    LogWarn("WAL record {} does not decode ({}); skipped", seq, decoded.status().ToString());
    return 0;
  }
  const size_t rows = decoded->batch.size();
  insert(std::move(decoded->batch));
  return rows;
}

}  // namespace periscope
