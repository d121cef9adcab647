#pragma once

// Periscope's C++ tracing SDK: spans, context propagation, sampling, batching, logs and metrics,
// exported over OTLP (HTTP protobuf or gRPC). Self-contained: depends on no server header.
//
//   auto provider = periscope::trace::MakeTracerProviderFromEnv();  // OTEL_* variables
//   auto tracer = provider->GetTracer("checkout");
//   {
//     periscope::trace::ScopedSpan span(tracer, "charge",
//                                       {.kind = periscope::trace::SpanKind::kClient});
//     span->SetAttribute("amount", 12.5);
//     periscope::trace::InjectCurrent(carrier);  // traceparent/tracestate/baggage
//   }
//   provider->Shutdown();  // flushes

#include "periscope/trace/common.h"        // IWYU pragma: export
#include "periscope/trace/console.h"       // IWYU pragma: export
#include "periscope/trace/context.h"       // IWYU pragma: export
#include "periscope/trace/diagnostics.h"   // IWYU pragma: export
#include "periscope/trace/logs.h"          // IWYU pragma: export
#include "periscope/trace/metrics.h"       // IWYU pragma: export
#include "periscope/trace/otlp.h"          // IWYU pragma: export
#include "periscope/trace/processor.h"     // IWYU pragma: export
#include "periscope/trace/propagation.h"   // IWYU pragma: export
#include "periscope/trace/sampler.h"       // IWYU pragma: export
#include "periscope/trace/span.h"          // IWYU pragma: export
#include "periscope/trace/span_context.h"  // IWYU pragma: export
#include "periscope/trace/tracer.h"        // IWYU pragma: export
