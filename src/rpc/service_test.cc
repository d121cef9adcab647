#include "periscope/rpc/service.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

using testing::Echo;
using testing::EchoImpl;
using testing::EchoReply;
using testing::EchoRequest;

static_assert(kMethodCount<Echo> == 3);
static_assert(std::is_same_v<MethodAt<Echo, 0>, Echo::Say>);
static_assert(std::is_same_v<MethodAt<Echo, 2>, Echo::Sleep>);
static_assert(HasMethod<Echo, Echo::Fail>());
static_assert(Echo::Say::kName == "Say");
static_assert(Echo::kName == "Echo");
static_assert(std::is_same_v<Echo::Say::RequestType, EchoRequest>);
static_assert(std::is_same_v<Echo::Say::ReplyType, EchoReply>);

// Matches every method: Say and Fail take the request only, Sleep also the CallContext.
static_assert(HandlerFor<Echo::Say, EchoImpl>);
static_assert(HandlerFor<Echo::Sleep, EchoImpl>);

struct WrongReply {
  boost::asio::awaitable<Result<EchoRequest>> Say(EchoRequest) { co_return EchoRequest{}; }
};
struct WrongRequest {
  boost::asio::awaitable<Result<EchoReply>> Say(std::string) { co_return EchoReply{}; }
};
struct NotAwaitable {
  Result<EchoReply> Say(EchoRequest) { return EchoReply{}; }
};
struct Missing {};
static_assert(!HandlerFor<Echo::Say, WrongReply>);
static_assert(!HandlerFor<Echo::Say, WrongRequest>);
static_assert(!HandlerFor<Echo::Say, NotAwaitable>);
static_assert(!HandlerFor<Echo::Say, Missing>);
// Server::Register<Echo>(WrongReply&) therefore fails to compile with (GCC 12):
//   rpc/server.h: error: static assertion failed: periscope::rpc: the implementation has no
//   member function `awaitable<Result<Reply>> Name(Request)` or `Name(Request, const
//   CallContext&)` matching a method declared by the service (see the instantiation of
//   CheckHandler<Method, Impl> below)
//   note: 'periscope::rpc::HandlerFor<periscope::rpc::testing::Echo::Say, WrongReply>'
//   evaluated to false

struct Other {
  RPC_SERVICE("Other");
  RPC_METHOD(Say, EchoReply(EchoRequest));
};
static_assert(!HasMethod<Echo, Other::Say>());  // Client<Echo>::Call<Other::Say> does not compile
static_assert(kMethodCount<Other> == 1);

TEST(ServiceTest, RegistersEveryMethodOnce) {
  boost::asio::io_context io;
  Server server(io.get_executor());
  EchoImpl impl;
  EXPECT_TRUE(server.Register<Echo>(impl).ok());
  Status again = server.Register<Echo>(impl);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("Echo/Say"), std::string::npos);
}

TEST(ServiceTest, InvokesTheMatchingMemberFunction) {
  boost::asio::io_context io;
  EchoImpl impl;
  CallContext ctx;
  std::optional<Result<EchoReply>> reply;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        EchoRequest request{"abc"};  // named: see the GCC 12 note in rpc.h
        reply = co_await Echo::Say::Invoke(impl, std::move(request), ctx);
      },
      boost::asio::detached);
  io.run();
  ASSERT_TRUE(reply && reply->ok());
  EXPECT_EQ((*reply)->length, 3u);
}

}  // namespace
}  // namespace periscope::rpc
