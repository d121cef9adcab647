#pragma once

#include <span>

#include "api/router.h"
#include "server/ui_assets.h"

namespace periscope {

// Serves the web UI: the embedded files by path (gzip when the client accepts it, immutable
// caching for hashed /assets/), and index.html for every other GET path that is not an API, so
// client-side routes (/services/checkout, /traces/...) work as deep links. Register it last.
void RegisterUiPage(Router& router, std::span<const UiAsset> assets = EmbeddedUiAssets());

// The handler RegisterUiPage registers, for paths shared with another resource (GET /metrics
// is both the metrics explorer and the Prometheus scrape endpoint).
HttpHandler UiPageHandler(std::span<const UiAsset> assets = EmbeddedUiAssets());

}  // namespace periscope
