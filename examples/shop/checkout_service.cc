#include "checkout_service.h"

#include <chrono>
#include <string>

namespace shop {

namespace rpc = periscope::rpc;

boost::asio::awaitable<rpc::Result<PlaceOrderReply>> CheckoutService::PlaceOrder(
    PlaceOrderRequest request, const rpc::CallContext& context) {
  PlaceOrderReply reply;
  reply.order_id = "ord-" + std::to_string(next_order_++);

  ReserveRequest reserve;
  reserve.item = request.item;
  reserve.quantity = request.quantity;
  rpc::CallOptions reserve_options;
  reserve_options.timeout = std::chrono::seconds(2);
  reserve_options.parent = &context;
  rpc::Result<ReserveReply> reserved =
      co_await inventory_.Call<Inventory::Reserve>(std::move(reserve), std::move(reserve_options));
  if (!reserved.ok()) co_return reserved.status();
  reply.reservation_id = reserved->reservation_id;
  reply.total_cents = reserved->unit_price_cents * request.quantity;

  ChargeRequest charge;
  charge.order_id = reply.order_id;
  charge.amount_cents = reply.total_cents;
  charge.card = request.card;
  rpc::CallOptions charge_options;
  charge_options.timeout = std::chrono::seconds(2);
  charge_options.parent = &context;
  rpc::Result<ChargeReply> charged =
      co_await payment_.Call<Payment::Charge>(std::move(charge), std::move(charge_options));
  if (!charged.ok()) co_return charged.status();
  reply.transaction_id = charged->transaction_id;
  co_return reply;
}

}  // namespace shop
