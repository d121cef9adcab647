#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "periscope/rpc/channel.h"
#include "rpc/channel_backend.h"
#include "rpc/transport.h"

namespace periscope::rpc::internal {

// A ChannelBackend over one transport (TCP, Unix or in-memory), already started.
std::shared_ptr<ChannelBackend> MakeClientConnection(std::shared_ptr<Transport> transport,
                                                     ChannelOptions&& options,
                                                     const std::string& address, uint16_t port);

// Builds Channel handles from backends (Channel's constructor is private).
struct ChannelAccess {
  static Channel Make(std::shared_ptr<ChannelBackend> backend) {
    return Channel(std::move(backend));
  }
  static const std::shared_ptr<ChannelBackend>& Backend(const Channel& c) { return c.impl_; }
};

}  // namespace periscope::rpc::internal
