#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "shop_api.h"

namespace shop {

// Implements shop.Inventory over an in-memory stock table. Thread-safe.
class InventoryService {
 public:
  InventoryService();

  // NOT_FOUND for an unknown item, INVALID_ARGUMENT for a quantity below 1, RESOURCE_EXHAUSTED
  // when the stock is too low.
  boost::asio::awaitable<periscope::rpc::Result<ReserveReply>> Reserve(ReserveRequest request);

 private:
  struct Stock {
    int64_t units = 0;
    int64_t price_cents = 0;
  };
  std::mutex mu_;
  std::map<std::string, Stock> stock_;
  uint64_t next_reservation_ = 1;
};

}  // namespace shop
