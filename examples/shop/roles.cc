#include "roles.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "checkout_service.h"
#include "frontend.h"
#include "inventory_service.h"
#include "payment_service.h"

namespace shop {
namespace {

namespace asio = boost::asio;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;

int Fail(const std::string& what, const rpc::Status& status) {
  std::fprintf(stderr, "shop: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

uint16_t ListenPort(const Flags& flags) {
  rpc::Result<uint16_t> port = flags.Port("port");
  return port.ok() ? *port : 0;
}

// How long the calls in flight at a SIGTERM get to finish.
constexpr std::chrono::seconds kDrainGrace(5);

// Registers impl as service S, listens, writes the port file and serves until a signal. Then it
// shuts the server down gracefully (the calls in flight, which may still call other services,
// get kDrainGrace to finish) and runs on_stop (to close client channels) once they have: the
// io_context then runs out of work and returns.
template <class S, class Impl>
int Serve(asio::io_context& io, rpc::Server& server, Impl& impl, const Flags& flags,
          std::function<void()> on_stop = {}) {
  if (rpc::Status st = server.Register<S>(impl); !st.ok()) return Fail("register", st);
  const std::string host = flags.Get("host", "127.0.0.1");
  rpc::Result<uint16_t> port = server.ListenTcp(host, ListenPort(flags));
  if (!port.ok()) return Fail("listen", port.status());
  if (rpc::Status st = WritePortFile(flags.Get("port-file"), *port); !st.ok()) {
    return Fail("port file", st);
  }
  std::fprintf(stderr, "shop: %s listening on %s:%u\n", std::string(S::kName).c_str(), host.c_str(),
               static_cast<unsigned>(*port));
  StopOnSignal(io, [&io, &server, on_stop = std::move(on_stop)]() mutable {
    server.Shutdown(kDrainGrace);
    asio::co_spawn(
        io,
        [&server, on_stop = std::move(on_stop)]() -> asio::awaitable<void> {
          co_await server.ConnectionsClosed(kDrainGrace + std::chrono::seconds(1));
          if (on_stop) on_stop();
        },
        asio::detached);
  });
  io.run();
  return 0;
}

template <class S>
asio::awaitable<rpc::Result<rpc::Client<S>>> Connect(asio::io_context& io, const Flags& flags,
                                                     const std::string& port_flag,
                                                     const pt::Tracer& tracer) {
  rpc::Result<uint16_t> port = flags.Port(port_flag);
  if (!port.ok()) co_return port.status();
  rpc::ChannelOptions options;
  options.tracer = tracer;
  rpc::Result<rpc::Channel> channel = co_await rpc::Channel::ConnectTcp(
      io.get_executor(), flags.Get("host", "127.0.0.1"), *port, std::move(options));
  if (!channel.ok()) co_return channel.status();
  co_return rpc::Client<S>(*channel);
}

// Stores the result of op and stops io (whose other work, such as a connected channel's
// reads, stays queued for the next run()).
template <class T>
asio::awaitable<void> StoreResult(asio::awaitable<rpc::Result<T>> op,
                                  std::optional<rpc::Result<T>>* out, asio::io_context* io) {
  out->emplace(co_await std::move(op));
  io->stop();
}

// Runs io until `op` completes and returns its result.
template <class T>
rpc::Result<T> RunToCompletion(asio::io_context& io, asio::awaitable<rpc::Result<T>> op) {
  std::optional<rpc::Result<T>> out;
  asio::co_spawn(io, StoreResult(std::move(op), &out, &io), asio::detached);
  io.run();
  io.restart();
  if (!out) return rpc::InternalError("did not finish");
  return std::move(*out);
}

bool HasPortFile(const Flags& flags) {
  if (!flags.Get("port-file").empty()) return true;
  std::fprintf(stderr, "shop: --port-file is required\n");
  return false;
}

}  // namespace

int RunInventory(const Flags& flags, const pt::Tracer& tracer) {
  if (!HasPortFile(flags)) return 2;
  asio::io_context io;
  rpc::Server server(io.get_executor(), {.tracer = tracer});
  InventoryService impl;
  return Serve<Inventory>(io, server, impl, flags);
}

int RunPayment(const Flags& flags, const pt::Tracer& tracer) {
  if (!HasPortFile(flags)) return 2;
  asio::io_context io;
  rpc::Server server(io.get_executor(), {.tracer = tracer});
  PaymentService impl;
  return Serve<Payment>(io, server, impl, flags);
}

int RunCheckout(const Flags& flags, const pt::Tracer& tracer) {
  if (!HasPortFile(flags)) return 2;
  asio::io_context io;
  rpc::Result<rpc::Client<Inventory>> inventory =
      RunToCompletion(io, Connect<Inventory>(io, flags, "inventory-port", tracer));
  if (!inventory.ok()) return Fail("inventory", inventory.status());
  rpc::Result<rpc::Client<Payment>> payment =
      RunToCompletion(io, Connect<Payment>(io, flags, "payment-port", tracer));
  if (!payment.ok()) return Fail("payment", payment.status());
  rpc::Server server(io.get_executor(), {.tracer = tracer});
  CheckoutService impl(*inventory, *payment);
  rpc::Channel inventory_channel = inventory->channel();
  rpc::Channel payment_channel = payment->channel();
  return Serve<Checkout>(io, server, impl, flags, [inventory_channel, payment_channel] {
    inventory_channel.Close();
    payment_channel.Close();
  });
}

int RunFrontend(const Flags& flags, const pt::Tracer& tracer) {
  if (!HasPortFile(flags)) return 2;
  asio::io_context io;
  rpc::Result<rpc::Client<Checkout>> checkout =
      RunToCompletion(io, Connect<Checkout>(io, flags, "checkout-port", tracer));
  if (!checkout.ok()) return Fail("checkout", checkout.status());
  Frontend frontend(io, tracer, *checkout);
  const std::string host = flags.Get("host", "127.0.0.1");
  rpc::Result<uint16_t> port = frontend.Listen(host, ListenPort(flags));
  if (!port.ok()) return Fail("listen", port.status());
  if (rpc::Status st = WritePortFile(flags.Get("port-file"), *port); !st.ok()) {
    return Fail("port file", st);
  }
  std::fprintf(stderr, "shop: frontend listening on http://%s:%u\n", host.c_str(),
               static_cast<unsigned>(*port));
  rpc::Channel channel = checkout->channel();
  StopOnSignal(io, [&frontend, &io, channel] {
    frontend.Stop();
    channel.Close();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace shop
