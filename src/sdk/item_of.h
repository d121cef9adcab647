#pragma once

namespace periscope::trace::internal {

// An item of a span of items, or of pointers to items (the encoders take either).
template <class T>
const T& ItemOf(const T& item) {
  return item;
}
template <class T>
const T& ItemOf(const T* item) {
  return *item;
}

}  // namespace periscope::trace::internal
