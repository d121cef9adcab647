#pragma once

// One function per shop process role. Each serves on 127.0.0.1 (a port chosen by the OS unless
// --port is given), writes the bound port to --port-file, and runs until SIGINT/SIGTERM.
// Returns the process exit code; errors are printed to stderr.

#include "periscope/trace.h"
#include "process.h"

namespace shop {

// shop.Inventory. Flags: --port-file, [--host], [--port].
int RunInventory(const Flags& flags, const periscope::trace::Tracer& tracer);
// shop.Payment. Flags: as RunInventory.
int RunPayment(const Flags& flags, const periscope::trace::Tracer& tracer);
// shop.Checkout, calling the inventory and payment processes. Flags: as RunInventory, plus
// --inventory-port and --payment-port (on the same host).
int RunCheckout(const Flags& flags, const periscope::trace::Tracer& tracer);
// The HTTP frontend, calling the checkout process. Flags: as RunInventory, plus --checkout-port.
int RunFrontend(const Flags& flags, const periscope::trace::Tracer& tracer);

}  // namespace shop
