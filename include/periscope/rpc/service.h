#pragma once

// Services declared as plain C++ types, no IDL and no code generator:
//
//   struct EchoRequest { std::string text; };
//   struct EchoReply { std::string text; int32_t length = 0; };
//   struct Echo {
//     RPC_SERVICE("Echo");
//     RPC_METHOD(Say, EchoReply(EchoRequest));
//     RPC_METHOD(Count, CountReply(CountRequest));
//   };
//
// RPC_METHOD(Say, Reply(Request)) declares a nested type Echo::Say deriving from
// rpc::Method<"Say", Reply(Request)>, and registers it in the service's compile-time method list
// (a class-scope overload counter, so the list never repeats the methods). The method type is
// the key for both sides:
//
//   client:  Result<EchoReply> r = co_await client.Call<Echo::Say>(request);
//   server:  server.Register<Echo>(impl);   // impl.Say(EchoRequest) is called for "Echo/Say"
//
// Other kinds of methods, declared the same way (see stream.h for the stream types):
//
//   RPC_IDEMPOTENT(Get, Reply(Request));        // unary, retried on UNAVAILABLE by a ChannelPool
//   RPC_SERVER_STREAM(Watch, Event(Filter));    // awaitable<Status> Watch(Filter,
//   ServerWriter<Event>&) RPC_CLIENT_STREAM(Upload, Summary(Chunk));  // awaitable<Result<Summary>>
//   Upload(ServerReader<Chunk>&) RPC_BIDI_STREAM(Chat, Line(Line));          // awaitable<Status>
//   Chat(ServerReaderWriter<Line, Line>&)
//
// Stream handlers reach their CallContext through the stream's context().
//
// An implementation is any object with, for each method, a member function named like the
// method that takes the request (and optionally `const CallContext&`) and returns exactly
// boost::asio::awaitable<rpc::Result<Reply>>. Server::Register checks this at compile time; a
// mismatch (missing method, wrong request or reply type) fails with:
//
//   error: static assertion failed: periscope::rpc: the implementation has no member function
//   `awaitable<Result<Reply>> Name(Request)` or `Name(Request, const CallContext&)` matching a
//   method declared by the service (see the instantiation of CheckHandler<Method, Impl> below)

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "periscope/rpc/call.h"
#include "periscope/rpc/status.h"
#include "periscope/rpc/stream.h"

namespace periscope::rpc {

// A string usable as a template argument: rpc::Method<"Say", ...>.
template <size_t N>
struct FixedName {
  char chars[N]{};
  constexpr FixedName(const char (&s)[N]) {  // NOLINT(google-explicit-constructor)
    for (size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  constexpr std::string_view view() const { return {chars, N - 1}; }
};

template <FixedName Name, class Signature, CallKind Kind = CallKind::kUnary,
          bool Idempotent = false>
struct Method {
  static_assert(std::is_function_v<Signature>,
                "periscope::rpc: a method signature is written Reply(Request)");
};

// One method of a service: its name, kind, and request and reply types (the message types of
// the streams for streaming methods).
template <FixedName Name, class Reply, class Request, CallKind Kind, bool Idempotent>
struct Method<Name, Reply(Request), Kind, Idempotent> {
  using RequestType = Request;
  using ReplyType = Reply;
  static constexpr std::string_view kName = Name.view();
  static constexpr CallKind kKind = Kind;
  static constexpr bool kIdempotent = Idempotent;
  static_assert(!std::is_reference_v<Request> && !std::is_const_v<Request>,
                "periscope::rpc: declare the request by value: Reply(Request)");
};

namespace internal {
inline constexpr int kMaxMethods = 64;
template <int N>
struct Slot : Slot<N - 1> {};
template <>
struct Slot<0> {};
}  // namespace internal

// The number of methods declared in service S and the I-th of them.
template <class S>
inline constexpr int kMethodCount =
    decltype(S::PeriscopeRpcCount(internal::Slot<internal::kMaxMethods>{}))::value;
template <class S, int I>
using MethodAt = decltype(S::PeriscopeRpcMethodAt(std::integral_constant<int, I>{}));

// A type declared with RPC_SERVICE.
template <class S>
concept Service = requires {
  { S::kName } -> std::convertible_to<std::string_view>;
  { kMethodCount<S> } -> std::convertible_to<int>;
};

// True when M is one of S's methods.
template <class S, class M>
constexpr bool HasMethod() {
  return []<int... I>(std::integer_sequence<int, I...>) {
    return (std::is_same_v<M, MethodAt<S, I>> || ...);
  }
  (std::make_integer_sequence<int, kMethodCount<S>>());
}

// True when impl provides unary method M with the declared signature.
template <class M, class Impl>
concept UnaryHandlerFor = requires(Impl& impl, typename M::RequestType req,
                                   const CallContext& ctx) {
  {
    M::Invoke(impl, std::move(req), ctx)
    } -> std::same_as<boost::asio::awaitable<Result<typename M::ReplyType>>>;
};

// True when impl provides method M (of any kind) with the declared signature.
template <class M, class Impl>
concept HandlerFor =
    (M::kKind == CallKind::kUnary && UnaryHandlerFor<M, Impl>) ||
    (M::kKind == CallKind::kServerStream &&
     requires(Impl & impl, typename M::RequestType req, ServerWriter<typename M::ReplyType>& w) {
       { M::InvokeStream(impl, std::move(req), w) } -> std::same_as<boost::asio::awaitable<Status>>;
     }) ||
    (M::kKind == CallKind::kClientStream &&
     requires(Impl & impl, ServerReader<typename M::RequestType>& r) {
       {
         M::InvokeStream(impl, r)
         } -> std::same_as<boost::asio::awaitable<Result<typename M::ReplyType>>>;
     }) ||
    (M::kKind == CallKind::kBidiStream &&
     requires(Impl & impl, ServerReaderWriter<typename M::RequestType, typename M::ReplyType>& rw) {
       { M::InvokeStream(impl, rw) } -> std::same_as<boost::asio::awaitable<Status>>;
     });

}  // namespace periscope::rpc

// Names the service and starts its method list; first line of a service struct.
#define RPC_SERVICE(name)                         \
  static constexpr std::string_view kName = name; \
  static std::integral_constant<int, 0> PeriscopeRpcCount(::periscope::rpc::internal::Slot<0>)

// Declares unary method `Name` with signature `Reply(Request)`; see the top of this file.
#define RPC_METHOD(Name, ...) \
  PERISCOPE_RPC_DECLARE(Name, ::periscope::rpc::CallKind::kUnary, false, __VA_ARGS__)
// A unary method that is safe to retry (a ChannelPool retries it on UNAVAILABLE).
#define RPC_IDEMPOTENT(Name, ...) \
  PERISCOPE_RPC_DECLARE(Name, ::periscope::rpc::CallKind::kUnary, true, __VA_ARGS__)
// One request, a stream of replies.
#define RPC_SERVER_STREAM(Name, ...) \
  PERISCOPE_RPC_DECLARE(Name, ::periscope::rpc::CallKind::kServerStream, false, __VA_ARGS__)
// A stream of requests, one reply.
#define RPC_CLIENT_STREAM(Name, ...) \
  PERISCOPE_RPC_DECLARE(Name, ::periscope::rpc::CallKind::kClientStream, false, __VA_ARGS__)
// Streams both ways; the signature names the message types: Reply(Request).
#define RPC_BIDI_STREAM(Name, ...) \
  PERISCOPE_RPC_DECLARE(Name, ::periscope::rpc::CallKind::kBidiStream, false, __VA_ARGS__)

#define PERISCOPE_RPC_DECLARE(Name, Kind, Idempotent, ...)                                        \
  struct Name : ::periscope::rpc::Method<#Name, __VA_ARGS__, Kind, Idempotent> {                  \
    template <class Impl>                                                                         \
    requires requires(Impl & i, RequestType r, const ::periscope::rpc::CallContext& c) {          \
      i.Name(std::move(r), c);                                                                    \
    } || requires(Impl & i, RequestType r) {                                                      \
      i.Name(std::move(r));                                                                       \
    }                                                                                             \
    static auto Invoke(Impl& impl, RequestType&& req, const ::periscope::rpc::CallContext& ctx) { \
      if constexpr (requires { impl.Name(std::move(req), ctx); }) {                               \
        return impl.Name(std::move(req), ctx);                                                    \
      } else {                                                                                    \
        return impl.Name(std::move(req));                                                         \
      }                                                                                           \
    }                                                                                             \
    template <class Impl, class... A>                                                             \
    requires requires(Impl & i, A&&... a) { i.Name(std::forward<A>(a)...); }                      \
    static auto InvokeStream(Impl& impl, A&&... a) { return impl.Name(std::forward<A>(a)...); }   \
  };                                                                                              \
  static constexpr int kPeriscopeRpcIndex_##Name = decltype(PeriscopeRpcCount(                    \
      ::periscope::rpc::internal::Slot<::periscope::rpc::internal::kMaxMethods>{}))::value;       \
  static_assert(kPeriscopeRpcIndex_##Name < ::periscope::rpc::internal::kMaxMethods,              \
                "periscope::rpc: too many methods in one service");                               \
  static std::integral_constant<int, kPeriscopeRpcIndex_##Name + 1> PeriscopeRpcCount(            \
      ::periscope::rpc::internal::Slot<kPeriscopeRpcIndex_##Name + 1>);                           \
  static Name PeriscopeRpcMethodAt(std::integral_constant<int, kPeriscopeRpcIndex_##Name>)
