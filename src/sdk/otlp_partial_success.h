#pragma once

#include <string_view>

#include "sdk/otlp_transport.h"

namespace periscope::trace::internal {

// Sets out->rejected and out->partial_success_message from a serialized Export*ServiceResponse
// of `signal`; leaves them alone when the response is empty or does not parse.
void ReadPartialSuccess(OtlpSignal signal, std::string_view response, SendOutcome* out);

}  // namespace periscope::trace::internal
