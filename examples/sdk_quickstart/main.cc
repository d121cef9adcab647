// sdk_quickstart: emits one small trace (a server span with client children, an error, a log
// line and a counter) to the OTLP endpoint named by the OTEL_* environment variables, then
// prints the trace id on stdout. Exit code 1 if the spans could not be flushed in time; a
// receiver without logs or metrics support only produces a warning on stderr.
#include <cstdio>
#include <map>
#include <string>

#include "periscope/trace.h"

namespace pt = periscope::trace;

int main() {
  std::shared_ptr<pt::TracerProvider> provider = pt::MakeTracerProviderFromEnv();
  std::shared_ptr<pt::LoggerProvider> logs = pt::MakeLoggerProviderFromEnv();
  std::shared_ptr<pt::MeterProvider> metrics = pt::MakeMeterProviderFromEnv();

  pt::Tracer tracer = provider->GetTracer("sdk_quickstart", "0.1.0");
  pt::Logger logger = logs->GetLogger("sdk_quickstart");
  auto orders = metrics->GetMeter("sdk_quickstart").CreateInt64Counter("orders", "orders placed");

  std::string trace_id;
  {
    pt::ScopedSpan request(
        tracer, "POST /checkout",
        {.kind = pt::SpanKind::kServer,
         .attributes = {{"http.request.method", "POST"}, {"http.route", "/checkout"}}});
    trace_id = request->context().trace_id.ToHex();
    {
      pt::ScopedSpan charge(tracer, "charge card", {.kind = pt::SpanKind::kClient});
      charge->SetAttribute("payment.amount", 12.5);
      std::map<std::string, std::string> headers;
      pt::MapCarrier carrier(headers);
      pt::InjectCurrent(carrier);  // what an HTTP/RPC client would send downstream
      charge->AddEvent("request sent", {{"traceparent", headers["traceparent"]}});
    }
    {
      pt::ScopedSpan reserve(tracer, "reserve stock", {.kind = pt::SpanKind::kClient});
      reserve->RecordException("OutOfStock", "sku 42 is out of stock");
      logger.Emit(pt::Severity::kError, "reservation failed", {{"sku", 42}});
    }
    orders.Add(1, {{"result", "failed"}});
    request->SetStatus(pt::StatusCode::kError, "reservation failed");
  }
  bool ok = provider->Shutdown();
  logs->Shutdown();
  if (logs->stats().failed > 0) std::fprintf(stderr, "warning: log export failed\n");
  if (!metrics->Shutdown()) std::fprintf(stderr, "warning: metric export failed\n");
  std::printf("%s\n", trace_id.c_str());
  return ok ? 0 : 1;
}
