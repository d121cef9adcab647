#pragma once

#include <cstdint>
#include <string>

namespace periscope::demo {

// Business values of one simulated user request that every signal about it agrees on (the
// logs' order.id and user.id, the orders counter's payment.method). Value type.
struct TraceFacts {
  std::string order_id;  // "ORD-1A2B3C4D"
  std::string user_id;   // "u-12345"
  std::string payment_method;
  std::string card_brand;
  int64_t total_cents = 0;
  int items = 0;
};

// A pure function of the seed and the 16-byte trace id.
TraceFacts FactsOfTrace(uint64_t seed, const std::string& trace_id);

// The first 8 bytes of an id, little-endian (0 for an empty id).
uint64_t IdLow64(const std::string& id);

}  // namespace periscope::demo
