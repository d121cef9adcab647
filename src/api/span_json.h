#pragma once

#include <boost/json.hpp>

#include "model/any_value.h"
#include "model/span_batch.h"

namespace periscope {

// JSON forms of the span model used by the own API (docs/api.md).
boost::json::value AnyValueToJson(const AnyValue& v);
boost::json::object AttributesToJson(const Attributes& attrs);
boost::json::object SpanToJson(const SpanBatch& batch, size_t row);
const char* SpanKindName(SpanKind kind);
const char* StatusCodeName(StatusCodeValue code);
// Accepts the names above (any case) and the OTLP enum names; nullopt otherwise.
std::optional<SpanKind> ParseSpanKind(std::string_view s);
std::optional<StatusCodeValue> ParseStatusCode(std::string_view s);

}  // namespace periscope
