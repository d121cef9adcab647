#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "loadgen/load_run.h"
#include "loadgen/send_slot.h"

namespace periscope::loadgen {

// "POST /v1/traces" request head for a protobuf body of `body_size` bytes sent to `host_port`.
std::string HttpRequestHead(std::string_view host_port, size_t body_size);

// Sends the slots (head from HttpRequestHead + body) as OTLP/HTTP requests to `host_port`, one
// keep-alive connection and one request in flight per slot, on the calling thread until `run`
// says stop. InvalidArgument when the target does not resolve; failed requests are tallied in
// `run`.
Status RunHttpLoad(const std::string& host_port, std::vector<SendSlot>& slots, LoadRun& run);

}  // namespace periscope::loadgen
