#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "loadgen/load_run.h"
#include "loadgen/send_slot.h"

namespace periscope::loadgen {

// Sends the slots' bodies as OTLP/gRPC TraceService/Export calls to `target`, one channel (TCP
// connection) and one call in flight per slot, driven from the calling thread until `run` says
// stop. Internal error only when gRPC itself misbehaves; failed calls are tallied in `run`.
Status RunGrpcLoad(const std::string& target, std::vector<SendSlot>& slots, LoadRun& run);

}  // namespace periscope::loadgen
