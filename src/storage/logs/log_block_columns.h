#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/log_batch.h"
#include "storage/logs/log_part.h"
#include "storage/logs/template_codec.h"

namespace periscope {

// Decompression buffers handed from one LogBlockColumns to the next of a scan, so that each
// block reuses warm memory instead of allocating (and zero-filling) fresh buffers. Not
// thread-safe.
struct LogColumnBuffers {
  std::string templates, ints, strings, attributes;
};

// The columns of one part block, each decompressed and decoded on first use, so that a search
// reads only what it needs (e.g. a count reads times, severities and body templates, never the
// body texts). Borrows the part, which must outlive it. Not thread-safe.
class LogBlockColumns {
 public:
  LogBlockColumns(const LogPart& part, size_t block) : part_(part), block_(block) {}
  // Borrows `buffers` (which must outlive this) until destruction.
  LogBlockColumns(const LogPart& part, size_t block, LogColumnBuffers* buffers);
  ~LogBlockColumns();
  LogBlockColumns(const LogBlockColumns&) = delete;
  LogBlockColumns& operator=(const LogBlockColumns&) = delete;

  size_t rows() const { return part_.blocks()[block_].rows; }
  const LogPart& part() const { return part_; }

  Result<const std::vector<int64_t>*> Times();
  Result<const std::vector<SeverityClass>*> SeverityClasses();
  Result<const std::vector<uint32_t>*> ResourceIndexes();
  // One ValueType byte per row.
  Result<const std::string*> BodyTypes();
  // Body templates of the text bodies (string, array, map, bytes), in row order; variables
  // loaded when `with_variables`.
  Result<const logs::TemplateTable*> BodyTemplates(bool with_variables);
  // The raw stream of the string variables of the body templates: every such variable's bytes
  // appear in it verbatim (a search can rule a block out without loading the variables).
  Result<std::string_view> BodyStrings();
  // Index of row r among the text bodies (valid for rows whose body type is text).
  Result<const std::vector<uint32_t>*> TextIndexes();
  Result<const std::vector<Attributes>*> RowAttributes();
  // False when no row of the block has an attribute (read without decoding the rows).
  Result<bool> HasAttributes();
  // Every column as rows (what LogPart::ReadBlock gives).
  Result<const LogBatch*> Full();
  // Only the rows set in `select` (one byte per row), in order.
  Status SelectedRows(const std::vector<uint8_t>& select, LogBatch* out);

 private:
  Status Column(uint32_t column, std::string* out);
  Status AttributesRaw();  // reads attributes_raw_ once

  const LogPart& part_;
  size_t block_;
  LogColumnBuffers* buffers_ = nullptr;
  std::unique_ptr<std::vector<int64_t>> times_;
  std::unique_ptr<std::vector<SeverityClass>> severities_;
  std::unique_ptr<std::vector<uint32_t>> resource_indexes_;
  std::unique_ptr<std::string> body_types_;
  std::unique_ptr<std::vector<uint32_t>> text_indexes_;
  std::string templates_raw_, ints_raw_, strings_raw_;
  bool strings_read_ = false;
  std::string attributes_raw_;
  bool attributes_read_ = false;
  std::unique_ptr<logs::TemplateTable> templates_;
  std::unique_ptr<std::vector<Attributes>> attributes_;
  std::unique_ptr<LogBatch> full_;
};

// True for body types stored through the template codec.
inline bool IsTemplateBodyType(ValueType t) {
  return t == ValueType::kString || t == ValueType::kArray || t == ValueType::kKvList ||
         t == ValueType::kBytes;
}

}  // namespace periscope
