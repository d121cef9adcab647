#pragma once

#include <google/protobuf/arena.h>

#include <algorithm>
#include <cstddef>

namespace periscope {

// Arena options for parsing a request of body_size bytes: parsed messages take about 2-3x the
// wire size, so the first block starts near that to avoid many small ones. Block sizes stay
// multiples of 8: protobuf 3.21 places cleanup records at a block's end, and an unaligned end
// misaligns them (undefined behaviour, caught by UBSan).
inline google::protobuf::ArenaOptions ArenaOptionsFor(size_t body_size) {
  google::protobuf::ArenaOptions options;
  const size_t start = std::clamp<size_t>(body_size * 2, 4096, 64 << 20);
  options.start_block_size = (start + 7) & ~size_t{7};
  options.max_block_size = 8 << 20;
  return options;
}

}  // namespace periscope
