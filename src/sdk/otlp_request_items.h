#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "periscope/trace/otlp.h"

namespace periscope::trace::internal {

// The spans, log records or metric data points in a serialized Export*ServiceRequest of `signal`;
// nullopt if it does not parse. Parses the whole request: for failure paths only.
std::optional<int64_t> CountRequestItems(OtlpSignal signal, std::string_view request);

// "1 span", "512 spans", "3 log records", "1 metric data point", ...
std::string CountOfItems(OtlpSignal signal, int64_t n);

}  // namespace periscope::trace::internal
