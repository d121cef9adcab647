#pragma once

// Periscope's typed RPC framework: services declared as plain C++ types, arguments serialised
// with a compact versioned binary format, length-prefixed frames over TCP or Unix sockets,
// Boost.Asio C++20 coroutines, deadlines, and a CLIENT and a SERVER span per call joined through
// W3C trace context in the request metadata.
//
//   struct EchoRequest { std::string text; };
//   struct EchoReply { std::string text; };
//   struct Echo {
//     RPC_SERVICE("Echo");
//     RPC_METHOD(Say, EchoReply(EchoRequest));
//   };
//   struct EchoImpl {
//     boost::asio::awaitable<rpc::Result<EchoReply>> Say(EchoRequest r) { co_return
//     EchoReply{r.text}; }
//   };
//
//   rpc::Server server(io.get_executor(), {.tracer = tracer});
//   EchoImpl impl;
//   server.Register<Echo>(impl);                     // compile error if impl does not match Echo
//   uint16_t port = *server.ListenTcp("127.0.0.1", 0);
//
//   // in a coroutine:
//   rpc::Result<rpc::Channel> ch = co_await rpc::Channel::ConnectTcp(ex, "127.0.0.1", port);
//   rpc::Client<Echo> client(*ch);
//   EchoRequest request{"hi"};
//   rpc::CallOptions options{.timeout = 1s};
//   rpc::Result<EchoReply> r = co_await client.Call<Echo::Say>(request, std::move(options));
//
// GCC 12 caveat (checked with 12.2): an aggregate temporary inside a co_await expression, such as
// `co_await client.Call<Echo::Say>({"hi"})` or `co_await f(Options{...})`, is destroyed twice
// and corrupts the heap. Name such arguments in a statement of their own, as above.
//
// Wire format of a frame: u32 little-endian length of what follows, one kind byte (1 request,
// 2 response), then the frame struct (src/rpc/frame.h) in the serialisation format of
// serialize.h. A response with id 0 is a connection-level error sent before the server closes.

#include "periscope/rpc/call.h"       // IWYU pragma: export
#include "periscope/rpc/channel.h"    // IWYU pragma: export
#include "periscope/rpc/health.h"     // IWYU pragma: export
#include "periscope/rpc/pool.h"       // IWYU pragma: export
#include "periscope/rpc/serialize.h"  // IWYU pragma: export
#include "periscope/rpc/server.h"     // IWYU pragma: export
#include "periscope/rpc/service.h"    // IWYU pragma: export
#include "periscope/rpc/status.h"     // IWYU pragma: export
#include "periscope/rpc/stream.h"     // IWYU pragma: export
