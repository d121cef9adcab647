#include "inventory_service.h"

namespace shop {

namespace rpc = periscope::rpc;

InventoryService::InventoryService() {
  stock_["book"] = {.units = 1000000, .price_cents = 1250};
  stock_["lamp"] = {.units = 1000000, .price_cents = 3999};
  stock_["mug"] = {.units = 3, .price_cents = 800};
}

boost::asio::awaitable<rpc::Result<ReserveReply>> InventoryService::Reserve(
    ReserveRequest request) {
  if (request.quantity < 1) {
    co_return rpc::InvalidArgumentError("quantity must be at least 1");
  }
  std::lock_guard lock(mu_);
  auto it = stock_.find(request.item);
  if (it == stock_.end()) {
    co_return rpc::Status(rpc::StatusCode::kNotFound, "no such item: " + request.item);
  }
  if (it->second.units < request.quantity) {
    co_return rpc::ResourceExhaustedError("only " + std::to_string(it->second.units) + " " +
                                          request.item + " left");
  }
  it->second.units -= request.quantity;
  ReserveReply reply;
  reply.reservation_id = "res-" + std::to_string(next_reservation_++);
  reply.unit_price_cents = it->second.price_cents;
  co_return reply;
}

}  // namespace shop
