#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "shop_api.h"

namespace shop {

// Implements shop.Payment: accepts every card except "decline". Thread-safe.
class PaymentService {
 public:
  // FAILED_PRECONDITION for the card "decline", INVALID_ARGUMENT for a non-positive amount.
  boost::asio::awaitable<periscope::rpc::Result<ChargeReply>> Charge(ChargeRequest request);

 private:
  std::atomic<uint64_t> next_transaction_{1};
};

}  // namespace shop
