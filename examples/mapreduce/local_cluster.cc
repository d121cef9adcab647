#include "local_cluster.h"

#include <boost/asio/post.hpp>

namespace mapreduce {

namespace rpc = periscope::rpc;

LocalCluster::~LocalCluster() {
  for (auto& node : nodes_) {
    boost::asio::post(node->io, [n = node.get()] {
      n->server.Shutdown();
      n->io.stop();
    });
  }
  for (auto& node : nodes_) {
    if (node->thread.joinable()) node->thread.join();
  }
}

rpc::Status LocalCluster::Start(size_t workers, std::optional<periscope::trace::Tracer> tracer) {
  for (size_t i = 0; i < workers; ++i) {
    auto node = std::make_unique<Node>(tracer);
    PERISCOPE_RPC_RETURN_IF_ERROR(node->server.Register<Worker>(node->service));
    rpc::Result<uint16_t> port = node->server.ListenTcp("127.0.0.1", 0);
    if (!port.ok()) return port.status();
    ports_.push_back(*port);
    Node* n = node.get();
    node->thread = std::thread([n] { n->io.run(); });
    nodes_.push_back(std::move(node));
  }
  return rpc::Status::Ok();
}

}  // namespace mapreduce
