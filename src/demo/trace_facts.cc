#include "demo/trace_facts.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "loadgen/split_mix.h"

namespace periscope::demo {

uint64_t IdLow64(const std::string& id) {
  uint64_t v = 0;
  for (size_t i = 0; i < id.size() && i < 8; ++i) {
    v |= uint64_t{static_cast<unsigned char>(id[i])} << (8 * i);
  }
  return v;
}

TraceFacts FactsOfTrace(uint64_t seed, const std::string& trace_id) {
  loadgen::SplitMix rng(seed ^ IdLow64(trace_id) ^ 0x5EED0F1065ull);
  TraceFacts f;
  f.order_id = fmt::format("ORD-{:08X}", rng.Next() & 0xFFFFFFFFu);
  f.user_id = fmt::format("u-{}", 10000 + rng.Below(5000));
  static constexpr std::array<std::string_view, 4> kMethods = {"card", "card", "paypal",
                                                               "apple_pay"};
  f.payment_method = std::string(kMethods[rng.Below(kMethods.size())]);
  static constexpr std::array<std::string_view, 3> kBrands = {"visa", "mastercard", "amex"};
  f.card_brand = std::string(kBrands[rng.Below(kBrands.size())]);
  f.items = 1 + static_cast<int>(rng.Below(4));
  f.total_cents = 999 + static_cast<int64_t>(rng.Below(25000));
  return f;
}

}  // namespace periscope::demo
