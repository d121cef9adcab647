#include "ingest/otlp/proto_diagnosis.h"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <memory>

namespace periscope {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::internal::WireFormatLite;

std::string Join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

// Walks the fields of one message; returns "" when nothing wrong was found at this level or
// below. `base` is the offset of `bytes` in the whole body, for messages.
std::string Describe(const Message& prototype, std::string_view bytes, const std::string& path,
                     size_t base, int depth) {
  const auto* desc = prototype.GetDescriptor();
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::map<int, int> seen;
  const std::string where = path.empty() ? "body" : path;
  while (true) {
    const size_t pos = base + static_cast<size_t>(in.CurrentPosition());
    const uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (static_cast<size_t>(in.CurrentPosition()) == bytes.size()) return {};
      return fmt::format("{}: invalid field tag at byte {}", where, pos);
    }
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    const auto wire_type = WireFormatLite::GetTagWireType(tag);
    const FieldDescriptor* field = desc->FindFieldByNumber(number);
    const int index = seen[number]++;
    std::string name;
    if (field) {
      name = field->json_name();
      if (field->is_repeated()) name += fmt::format("[{}]", index);
    } else {
      name = fmt::format("field {}", number);
    }
    if (wire_type != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) {
        return fmt::format("{}: truncated or malformed {} (wire type {}) at byte {}", where, name,
                           static_cast<int>(wire_type), pos);
      }
      continue;
    }
    uint32_t len = 0;
    if (!in.ReadVarint32(&len)) {
      return fmt::format("{}: truncated length of {} at byte {}", where, name, pos);
    }
    const size_t start = static_cast<size_t>(in.CurrentPosition());
    if (len > bytes.size() - start) {
      return fmt::format("{}: {} at byte {} declares {} bytes but only {} remain", where, name, pos,
                         len, bytes.size() - start);
    }
    std::string_view sub = bytes.substr(start, len);
    in.Skip(static_cast<int>(len));
    if (!field) continue;
    if (field->type() == FieldDescriptor::TYPE_STRING &&
        !google::protobuf::internal::IsStructurallyValidUTF8(sub.data(),
                                                             static_cast<int>(sub.size()))) {
      return fmt::format("{}: invalid UTF-8 at byte {}", Join(path, name), base + start);
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 64) {
      const Message* sub_proto =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(
              field->message_type());
      if (sub_proto == nullptr) continue;
      std::unique_ptr<Message> probe(sub_proto->New());
      if (!probe->ParseFromArray(sub.data(), static_cast<int>(sub.size()))) {
        std::string inner = Describe(*sub_proto, sub, Join(path, name), base + start, depth + 1);
        if (!inner.empty()) return inner;
        return fmt::format("{}: malformed {} at byte {}", Join(path, name),
                           field->message_type()->name(), base + start);
      }
    }
  }
}

}  // namespace

std::string DescribeProtobufError(const Message& prototype, std::string_view bytes) {
  std::string found = Describe(prototype, bytes, "", 0, 0);
  if (!found.empty()) return found;
  return fmt::format("body of {} bytes is not a valid {}", bytes.size(),
                     prototype.GetDescriptor()->name());
}

}  // namespace periscope
