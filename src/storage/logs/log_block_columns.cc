#include "storage/logs/log_block_columns.h"

#include "base/coding.h"
#include "storage/logs/log_part_format.h"
#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope {

LogBlockColumns::LogBlockColumns(const LogPart& part, size_t block, LogColumnBuffers* buffers)
    : part_(part), block_(block), buffers_(buffers) {
  templates_raw_.swap(buffers->templates);
  ints_raw_.swap(buffers->ints);
  strings_raw_.swap(buffers->strings);
  attributes_raw_.swap(buffers->attributes);
}

LogBlockColumns::~LogBlockColumns() {
  if (buffers_ == nullptr) return;
  templates_raw_.swap(buffers_->templates);
  ints_raw_.swap(buffers_->ints);
  strings_raw_.swap(buffers_->strings);
  attributes_raw_.swap(buffers_->attributes);
}

Status LogBlockColumns::Column(uint32_t column, std::string* out) {
  return part_.ReadColumn(block_, column, out);
}

Result<const std::vector<int64_t>*> LogBlockColumns::Times() {
  if (full_) return &full_->time_ns;
  if (!times_) {
    std::string raw;
    RETURN_IF_ERROR(Column(logs::kLogColTimes, &raw));
    auto times = std::make_unique<std::vector<int64_t>>(rows());
    part::Decoder d(raw);
    int64_t t = 0;
    for (auto& v : *times) {
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(d.Signed()));
      v = t;
    }
    if (!d.ok())
      return Status::Corruption("{}: block {} times are malformed", part_.path(), block_);
    times_ = std::move(times);
  }
  return times_.get();
}

Result<const std::vector<SeverityClass>*> LogBlockColumns::SeverityClasses() {
  if (!severities_) {
    const size_t n = rows();
    std::string numbers_raw, texts_raw;
    RETURN_IF_ERROR(Column(logs::kLogColSeverityNumbers, &numbers_raw));
    RETURN_IF_ERROR(Column(logs::kLogColSeverityTexts, &texts_raw));
    part::Decoder numbers(numbers_raw), texts_in(texts_raw);
    std::vector<std::string_view> texts;
    RETURN_IF_ERROR(part::DecodeStringColumn(&texts_in, n, &texts));
    auto out = std::make_unique<std::vector<SeverityClass>>(n);
    for (size_t r = 0; r < n; ++r) {
      (*out)[r] = ClassifySeverity(static_cast<int32_t>(numbers.Signed()), texts[r]);
    }
    if (!numbers.ok()) {
      return Status::Corruption("{}: block {} severities are malformed", part_.path(), block_);
    }
    severities_ = std::move(out);
  }
  return severities_.get();
}

Result<const std::vector<uint32_t>*> LogBlockColumns::ResourceIndexes() {
  if (full_) return &full_->resource_index;
  if (!resource_indexes_) {
    std::string raw;
    RETURN_IF_ERROR(Column(logs::kLogColResources, &raw));
    auto out = std::make_unique<std::vector<uint32_t>>(rows());
    part::Decoder d(raw);
    for (auto& v : *out) {
      v = d.Varint32();
      if (v >= part_.resources().size()) d.Fail();
    }
    if (!d.ok()) {
      return Status::Corruption("{}: block {} resource indexes are malformed", part_.path(),
                                block_);
    }
    resource_indexes_ = std::move(out);
  }
  return resource_indexes_.get();
}

Result<const std::string*> LogBlockColumns::BodyTypes() {
  if (!body_types_) {
    auto out = std::make_unique<std::string>();
    RETURN_IF_ERROR(Column(logs::kLogColBodyTypes, out.get()));
    if (out->size() != rows()) {
      return Status::Corruption("{}: block {} body types are malformed", part_.path(), block_);
    }
    body_types_ = std::move(out);
  }
  return body_types_.get();
}

Result<const std::vector<uint32_t>*> LogBlockColumns::TextIndexes() {
  if (!text_indexes_) {
    ASSIGN_OR_RETURN(const std::string* types, BodyTypes());
    auto out = std::make_unique<std::vector<uint32_t>>(types->size());
    uint32_t next = 0;
    for (size_t r = 0; r < types->size(); ++r) {
      (*out)[r] = next;
      if (IsTemplateBodyType(static_cast<ValueType>((*types)[r]))) ++next;
    }
    text_indexes_ = std::move(out);
  }
  return text_indexes_.get();
}

Result<const logs::TemplateTable*> LogBlockColumns::BodyTemplates(bool with_variables) {
  if (!templates_) {
    ASSIGN_OR_RETURN(const std::string* types, BodyTypes());
    size_t texts = 0;
    for (char c : *types) texts += IsTemplateBodyType(static_cast<ValueType>(c)) ? 1 : 0;
    RETURN_IF_ERROR(Column(logs::kLogColBodyTemplates, &templates_raw_));
    auto table = std::make_unique<logs::TemplateTable>();
    RETURN_IF_ERROR(table->Init(templates_raw_, texts));
    templates_ = std::move(table);
  }
  if (with_variables && !templates_->variables_loaded()) {
    RETURN_IF_ERROR(Column(logs::kLogColBodyInts, &ints_raw_));
    RETURN_IF_ERROR(BodyStrings().status());
    RETURN_IF_ERROR(templates_->LoadVariables(ints_raw_, strings_raw_));
  }
  return templates_.get();
}

Result<std::string_view> LogBlockColumns::BodyStrings() {
  if (!strings_read_) {
    RETURN_IF_ERROR(Column(logs::kLogColBodyStrings, &strings_raw_));
    strings_read_ = true;
  }
  return std::string_view(strings_raw_);
}

Status LogBlockColumns::AttributesRaw() {
  if (attributes_read_) return Status::Ok();
  RETURN_IF_ERROR(Column(logs::kLogColAttributes, &attributes_raw_));
  attributes_read_ = true;
  return Status::Ok();
}

Result<bool> LogBlockColumns::HasAttributes() {
  if (full_ || attributes_) {
    ASSIGN_OR_RETURN(const std::vector<Attributes>* attrs, RowAttributes());
    for (const auto& a : *attrs) {
      if (!a.empty()) return true;
    }
    return false;
  }
  // Packed attributes start with the key dictionary: no key, no attribute in any row.
  RETURN_IF_ERROR(AttributesRaw());
  part::Decoder in(attributes_raw_);
  part::Decoder keys = in.Sub();
  const uint64_t key_count = keys.Varint();
  if (!in.ok() || !keys.ok()) {
    return Status::Corruption("{}: block {} attributes are malformed", part_.path(), block_);
  }
  return key_count > 0;
}

Result<const std::vector<Attributes>*> LogBlockColumns::RowAttributes() {
  if (full_) return &full_->attributes;
  if (!attributes_) {
    RETURN_IF_ERROR(AttributesRaw());
    auto out = std::make_unique<std::vector<Attributes>>();
    RETURN_IF_ERROR(part::DecodeAttributesPacked(attributes_raw_, rows(), out.get()));
    attributes_ = std::move(out);
  }
  return attributes_.get();
}

Result<const LogBatch*> LogBlockColumns::Full() {
  if (!full_) {
    auto out = std::make_unique<LogBatch>();
    RETURN_IF_ERROR(part_.ReadBlock(block_, out.get()));
    full_ = std::move(out);
  }
  return full_.get();
}

Status LogBlockColumns::SelectedRows(const std::vector<uint8_t>& select, LogBatch* out) {
  if (select.size() != rows()) return Status::InvalidArgument("selection size mismatch");
  if (full_) {
    *out = LogBatch();
    out->tenant = full_->tenant;
    for (size_t r = 0; r < select.size(); ++r) {
      if (select[r]) out->AppendRow(*full_, r);
    }
    return Status::Ok();
  }
  std::vector<uint32_t> indexes;
  for (size_t r = 0; r < select.size(); ++r) {
    if (select[r]) indexes.push_back(static_cast<uint32_t>(r));
  }
  return part_.ReadBlockRows(block_, indexes, out);
}

}  // namespace periscope
