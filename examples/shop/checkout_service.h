#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "shop_api.h"

namespace shop {

// Implements shop.Checkout by calling shop.Inventory and then shop.Payment; the downstream
// calls inherit the deadline and trace context of the call being served. Thread-safe.
class CheckoutService {
 public:
  CheckoutService(periscope::rpc::Client<Inventory> inventory,
                  periscope::rpc::Client<Payment> payment)
      : inventory_(std::move(inventory)), payment_(std::move(payment)) {}

  // Returns the first downstream error unchanged (e.g. FAILED_PRECONDITION for a declined card).
  boost::asio::awaitable<periscope::rpc::Result<PlaceOrderReply>> PlaceOrder(
      PlaceOrderRequest request, const periscope::rpc::CallContext& context);

 private:
  periscope::rpc::Client<Inventory> inventory_;
  periscope::rpc::Client<Payment> payment_;
  std::atomic<uint64_t> next_order_{1};
};

}  // namespace shop
