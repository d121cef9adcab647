#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "periscope/rpc/server.h"
#include "rpc/transport.h"

namespace periscope::rpc::internal {

using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol>;

class ServerConnection;

// A registered method: its kind and the handler of that kind.
struct HandlerEntry {
  CallKind kind = CallKind::kUnary;
  RawHandler unary;
  RawStreamHandler stream;
};

// State shared by a Server, its listeners and its connections. Thread-safe: handlers and
// options are fixed once listening starts; the connection list is guarded by mu_.
class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(boost::asio::any_io_executor executor, ServerOptions options)
      : executor_(std::move(executor)), options_(std::move(options)) {}

  const HandlerEntry* FindHandler(const std::string& service, const std::string& method) const {
    // The key is built in a per-thread buffer: no allocation per call.
    thread_local std::string key;
    key.assign(service).append(1, '/').append(method);
    auto it = handlers_.find(key);
    return it == handlers_.end() ? nullptr : &it->second;
  }

  // Starts serving a connection; false after Shutdown (the transport is then closed).
  bool Adopt(std::shared_ptr<Transport> transport);

  boost::asio::any_io_executor executor_;
  ServerOptions options_;
  std::unordered_map<std::string, HandlerEntry> handlers_;

  // A connection's serving has ended: closed, and no handler of its left running.
  void ConnectionEnded();

  std::mutex mu_;
  std::vector<std::shared_ptr<Acceptor>> acceptors_;
  std::vector<std::weak_ptr<ServerConnection>> connections_;
  bool shut_down_ = false;
  // Connections started and not ended. A lock of its own: a connection may end inside Adopt,
  // which holds mu_ (its coroutines can run to their end before co_spawn returns).
  std::mutex live_mu_;
  size_t live_connections_ = 0;
  std::condition_variable connections_ended_;

  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> connections_closed_malformed_{0};
  std::atomic<uint64_t> connections_closed_idle_{0};
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> calls_failed_{0};
  std::atomic<uint64_t> calls_cancelled_{0};
};

// One accepted connection (server_connection.cc). Thread-safe entry points below.
class ServerConnection {
 public:
  virtual ~ServerConnection() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // Closes the transport and cancels every handler in flight. Strand-only.
  virtual void Close() = 0;
  // Takes no new call (each fails with UNAVAILABLE) and closes once the calls in flight have
  // been answered; at `deadline`, answers those left with UNAVAILABLE, cancels their handlers
  // and closes. Strand-only.
  virtual void Drain(std::chrono::steady_clock::time_point deadline) = 0;
};

// Creates and starts a connection serving `transport`.
std::shared_ptr<ServerConnection> StartServerConnection(std::shared_ptr<ServerImpl> server,
                                                        std::shared_ptr<Transport> transport);

}  // namespace periscope::rpc::internal
