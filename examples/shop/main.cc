// shop: one process of the example shop, chosen by the first argument (frontend, checkout,
// inventory, payment). The processes call each other through the Periscope RPC framework and
// export their spans over OTLP as configured by the OTEL_* variables (OTEL_SERVICE_NAME defaults
// to the role). See docs/examples.md.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "periscope/trace.h"
#include "process.h"
#include "roles.h"

namespace pt = periscope::trace;

int main(int argc, char** argv) {
  const std::string role = argc > 1 ? argv[1] : "";
  using RunFn = int (*)(const shop::Flags&, const pt::Tracer&);
  RunFn run = role == "frontend"    ? shop::RunFrontend
              : role == "checkout"  ? shop::RunCheckout
              : role == "inventory" ? shop::RunInventory
              : role == "payment"   ? shop::RunPayment
                                    : nullptr;
  if (run == nullptr) {
    std::fprintf(stderr,
                 "usage: shop frontend|checkout|inventory|payment --port-file PATH [--port N]\n"
                 "  checkout: --inventory-port N --payment-port N; frontend: --checkout-port N\n");
    return 2;
  }
  periscope::rpc::Result<shop::Flags> flags = shop::Flags::Parse(argc, argv, 2);
  if (!flags.ok()) {
    std::fprintf(stderr, "shop: %s\n", flags.status().ToString().c_str());
    return 2;
  }
  // The role names the service unless the environment says otherwise.
  setenv("OTEL_SERVICE_NAME", role.c_str(), /*overwrite=*/0);
  std::shared_ptr<pt::TracerProvider> provider = pt::MakeTracerProviderFromEnv();
  int code = run(*flags, provider->GetTracer("shop." + role, "0.1.0"));
  if (!provider->Shutdown(std::chrono::seconds(5))) code = code == 0 ? 1 : code;
  return code;
}
