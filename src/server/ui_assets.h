#pragma once

#include <span>
#include <string_view>

namespace periscope {

// One file of the built web UI, embedded in the binary (path like "/assets/index-1a2b.js").
struct UiAsset {
  std::string_view path;
  std::string_view data;
};

// Every embedded UI file; generated at build time by cmake/embed_ui.cmake.
std::span<const UiAsset> EmbeddedUiAssets();

}  // namespace periscope
