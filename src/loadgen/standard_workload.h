#pragma once

#include <cstdint>
#include <string>

namespace periscope::loadgen {

// Serialized OTLP ExportTraceServiceRequest of the standard trace workload (BENCHMARKS.md
// "Traces"): one resource, traces of 4 spans (a SERVER root "GET /api/item/{id}" and three CLIENT
// children: a postgres call and two RPCs), ~2% 500s, a high-cardinality user.id, plus
// `extra_attributes` small attributes per span. Deterministic in (seed, spans, extra_attributes,
// now_ns); every span ends at or before now_ns. A span takes ~145 bytes on the wire plus ~10 per
// extra attribute (~185 with LoadOptions' default of 4).
std::string BuildStandardTraceRequest(uint64_t seed, int spans, int extra_attributes,
                                      int64_t now_ns);

}  // namespace periscope::loadgen
