#pragma once

#include "periscope/trace/common.h"
#include "periscope/trace/otlp.h"

namespace periscope::trace::internal {

// Sets options.tls from OTEL_EXPORTER_OTLP_[{TRACES,METRICS,LOGS}_]{CERTIFICATE,CLIENT_CERTIFICATE,
// CLIENT_KEY} (file paths); a non-empty signal-specific variable wins over the generic one, and an
// unset or empty one leaves the field alone. For OtlpExporterOptions::FromEnv.
void ApplyTlsEnv(OtlpExporterOptions& options, OtlpSignal signal, const EnvGetter& env);

}  // namespace periscope::trace::internal
