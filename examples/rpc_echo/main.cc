// rpc_echo: serves an Echo service on 127.0.0.1 (a free port), calls it three times through the
// typed client (one call fails on purpose), prints the replies and the trace id, and exports the
// CLIENT and SERVER spans to the OTLP endpoint named by the OTEL_* environment variables.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <string>

#include "periscope/rpc.h"
#include "periscope/trace.h"

namespace asio = boost::asio;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;

struct EchoRequest {
  std::string text;
};
struct EchoReply {
  std::string text;
  uint64_t length = 0;
};

struct Echo {
  RPC_SERVICE("Echo");
  RPC_METHOD(Say, EchoReply(EchoRequest));
};

// The implementation: checked against Echo at compile time by Server::Register.
struct EchoImpl {
  asio::awaitable<rpc::Result<EchoReply>> Say(EchoRequest request) {
    if (request.text.empty()) {
      co_return rpc::Status(rpc::StatusCode::kInvalidArgument, "nothing to echo");
    }
    co_return EchoReply{request.text, request.text.size()};
  }
};

constexpr const char* kTexts[] = {"hello", "periscope", ""};  // the last one fails

asio::awaitable<void> RunClient(asio::io_context& io, uint16_t port, pt::Tracer tracer,
                                rpc::Server& server) {
  rpc::ChannelOptions channel_options{.tracer = tracer};
  rpc::Result<rpc::Channel> channel = co_await rpc::Channel::ConnectTcp(
      io.get_executor(), "127.0.0.1", port, std::move(channel_options));
  if (!channel.ok()) {
    std::fprintf(stderr, "connect: %s\n", channel.status().ToString().c_str());
    server.Shutdown();
    co_return;
  }
  rpc::Client<Echo> client(*channel);
  auto root = tracer.StartSpan("rpc_echo main");
  for (const char* text : kTexts) {
    EchoRequest request{text};
    rpc::CallOptions options{.timeout = std::chrono::seconds(2),
                             .trace_parent = pt::Context().WithSpan(root)};
    rpc::Result<EchoReply> reply = co_await client.Call<Echo::Say>(request, std::move(options));
    if (reply.ok()) {
      std::printf("Say(\"%s\") -> \"%s\" (%llu bytes)\n", text, reply->text.c_str(),
                  static_cast<unsigned long long>(reply->length));
    } else {
      std::printf("Say(\"%s\") failed: %s\n", text, reply.status().ToString().c_str());
    }
  }
  root->End();
  std::printf("trace id: %s\n", root->context().trace_id.ToHex().c_str());
  channel->Close();
  server.Shutdown();
}

int main() {
  std::shared_ptr<pt::TracerProvider> provider = pt::MakeTracerProviderFromEnv();
  pt::Tracer tracer = provider->GetTracer("rpc_echo", "0.1.0");
  asio::io_context io;
  rpc::Server server(io.get_executor(), {.tracer = tracer});
  EchoImpl impl;
  if (rpc::Status st = server.Register<Echo>(impl); !st.ok()) {
    std::fprintf(stderr, "register: %s\n", st.ToString().c_str());
    return 1;
  }
  rpc::Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
  if (!port.ok()) {
    std::fprintf(stderr, "listen: %s\n", port.status().ToString().c_str());
    return 1;
  }
  asio::co_spawn(io, RunClient(io, *port, tracer, server), asio::detached);
  io.run();
  return provider->Shutdown(std::chrono::seconds(5)) ? 0 : 1;
}
