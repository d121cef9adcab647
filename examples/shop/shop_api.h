#pragma once

// The RPC services of the example shop and their messages, shared by every process.

#include <cstdint>
#include <string>

#include "periscope/rpc.h"

namespace shop {

struct ReserveRequest {
  std::string item;
  int64_t quantity = 0;
};
struct ReserveReply {
  std::string reservation_id;
  int64_t unit_price_cents = 0;
};

struct ChargeRequest {
  std::string order_id;
  int64_t amount_cents = 0;
  std::string card;  // "decline" makes the payment service refuse the charge
};
struct ChargeReply {
  std::string transaction_id;
};

struct PlaceOrderRequest {
  std::string item;
  int64_t quantity = 0;
  std::string card;
};
struct PlaceOrderReply {
  std::string order_id;
  std::string reservation_id;
  std::string transaction_id;
  int64_t total_cents = 0;
};

struct Inventory {
  RPC_SERVICE("shop.Inventory");
  RPC_METHOD(Reserve, ReserveReply(ReserveRequest));
};

struct Payment {
  RPC_SERVICE("shop.Payment");
  RPC_METHOD(Charge, ChargeReply(ChargeRequest));
};

struct Checkout {
  RPC_SERVICE("shop.Checkout");
  RPC_METHOD(PlaceOrder, PlaceOrderReply(PlaceOrderRequest));
};

}  // namespace shop
