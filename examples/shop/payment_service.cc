#include "payment_service.h"

#include <string>

namespace shop {

namespace rpc = periscope::rpc;

boost::asio::awaitable<rpc::Result<ChargeReply>> PaymentService::Charge(ChargeRequest request) {
  if (request.amount_cents <= 0) {
    co_return rpc::InvalidArgumentError("amount must be positive");
  }
  if (request.card == "decline") {
    co_return rpc::Status(rpc::StatusCode::kFailedPrecondition,
                          "card declined for order " + request.order_id);
  }
  ChargeReply reply;
  reply.transaction_id = "txn-" + std::to_string(next_transaction_++);
  co_return reply;
}

}  // namespace shop
