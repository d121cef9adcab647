#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/rpc/channel.h"

namespace periscope::rpc {

class Server;

// Where a server is: TCP host:port, a Unix socket path, or a Server in this process (reached
// through the in-memory transport).
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string unix_path;        // when set, a Unix socket
  Server* in_memory = nullptr;  // when set, this Server (must outlive the pool)
  // "host:port", "unix:path" or "in-memory:<name>"; identifies the endpoint in the pool.
  std::string name;
};

// Which server a call goes to.
enum class LoadBalancing {
  kRoundRobin,
  // Power of two choices: of two random servers, the one with less load: unary calls in flight
  // plus open streams.
  kLeastLoaded,
  // Consistent hashing on CallOptions::hash_key (round robin for calls without a key): adding or
  // removing one of N servers moves only ~1/N of the keys.
  kConsistentHash,
};

// Retries of unary calls on UNAVAILABLE: always when the request was never sent (no
// connection), otherwise only for idempotent calls (RPC_IDEMPOTENT or CallOptions::idempotent).
// Exponential backoff with jitter, never past the call's deadline.
struct RetryPolicy {
  int max_attempts = 3;  // including the first
  std::chrono::milliseconds initial_backoff{10};
  std::chrono::milliseconds max_backoff{1000};
  double multiplier = 2.0;
};

struct PoolOptions {
  ChannelOptions channel;
  LoadBalancing policy = LoadBalancing::kRoundRobin;
  RetryPolicy retry;
  // After a failed connect the endpoint is skipped for this long (unless every endpoint is).
  std::chrono::milliseconds reconnect_backoff{200};
  // Points per endpoint on the consistent-hash ring.
  int virtual_nodes = 160;
  // Active health checks (0: off): every interval, each endpoint gets a Health/Check call (see
  // health.h) on its connection. An endpoint that answers NOT_SERVING, fails, or does not answer
  // within health_check_timeout gets no new calls (unless every endpoint is down) until a check
  // passes. A server without the Health service counts as healthy while it answers. Checks carry
  // an unsampled trace context, so parent-based samplers record no spans for them. While checks
  // run, the pool keeps its executor busy until Close() or destruction.
  std::chrono::milliseconds health_check_interval{0};
  std::chrono::milliseconds health_check_timeout{1000};
  std::string health_check_service;  // "" checks the whole server
};

// What a pool knows of one endpoint right now.
struct EndpointState {
  std::string name;
  bool healthy = true;  // false: the last health check or connect failed
  size_t load = 0;      // unary calls in flight plus open streams
};

namespace internal {
class PoolBackend;
}

// A set of servers behind one Channel: one connection per server, opened on first use and
// reopened after it breaks; calls spread by the load-balancing policy; unary calls retried per
// RetryPolicy. Thread-safe. The io_context must outlive the pool's calls.
class ChannelPool {
 public:
  ChannelPool(boost::asio::any_io_executor executor, std::vector<Endpoint> endpoints,
              PoolOptions options = {});
  ~ChannelPool();
  ChannelPool(const ChannelPool&) = delete;
  ChannelPool& operator=(const ChannelPool&) = delete;

  // A Channel whose calls go through this pool (use with Client<S>).
  Channel channel() const;
  // Adds a server; ALREADY_EXISTS when one with the same name is there.
  Status AddEndpoint(Endpoint endpoint);
  // Removes a server by name (its connection is closed); NOT_FOUND when absent.
  Status RemoveEndpoint(std::string_view name);
  std::vector<std::string> endpoint_names() const;
  std::vector<EndpointState> endpoint_states() const;
  // The endpoint name consistent hashing picks for a key (ignoring servers that are down).
  std::optional<std::string> EndpointForKey(std::string_view key) const;
  // Closes every connection; later calls fail with UNAVAILABLE.
  void Close();

 private:
  std::shared_ptr<internal::PoolBackend> impl_;
};

}  // namespace periscope::rpc
