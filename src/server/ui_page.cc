#include "server/ui_page.h"

#include <zlib.h>

#include <map>
#include <memory>
#include <string>

namespace periscope {

namespace {

// An asset ready to send: its type and the plain and gzip bodies.
struct PreparedAsset {
  std::string content_type;
  std::string_view plain;
  std::string gzip;
  bool immutable = false;
};

std::string_view ContentTypeOf(std::string_view path) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  const size_t dot = path.rfind('.');
  if (dot != std::string_view::npos) {
    auto it = kTypes.find(path.substr(dot));
    if (it != kTypes.end()) return it->second;
  }
  return "application/octet-stream";
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

bool IsApiPath(std::string_view path) {
  for (std::string_view prefix : {"/api/", "/jaeger/", "/prometheus/", "/v1/"}) {
    if (path.starts_with(prefix) || path == prefix.substr(0, prefix.size() - 1)) return true;
  }
  return false;
}

HttpResponse Serve(const PreparedAsset& asset, const HttpRequest& req) {
  HttpResponse r;
  r.content_type = asset.content_type;
  r.headers.emplace_back("Cache-Control",
                         asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (!asset.gzip.empty() && req.Header("accept-encoding").find("gzip") != std::string::npos) {
    r.body = asset.gzip;
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::string(asset.plain);
  }
  return r;
}

}  // namespace

HttpHandler UiPageHandler(std::span<const UiAsset> assets) {
  auto prepared = std::make_shared<std::map<std::string, PreparedAsset, std::less<>>>();
  for (const UiAsset& a : assets) {
    PreparedAsset p;
    p.content_type = std::string(ContentTypeOf(a.path));
    p.plain = a.data;
    if (a.data.size() > 1024 && !p.content_type.starts_with("image/png") &&
        !p.content_type.starts_with("font/")) {
      p.gzip = Gzip(a.data);
    }
    p.immutable = a.path.starts_with("/assets/");
    prepared->emplace(std::string(a.path), std::move(p));
  }
  return [prepared](HttpRequest& req) {
    auto it = prepared->find(req.path);
    if (it != prepared->end() && req.path != "/index.html") return Serve(it->second, req);
    if (IsApiPath(req.path)) return HttpResponse::Error(404, "no such endpoint: " + req.path);
    if (req.path.starts_with("/assets/")) return HttpResponse::Error(404, "no such asset");
    auto index = prepared->find("/index.html");
    if (index == prepared->end()) {
      return HttpResponse::Text("the web UI was not built into this binary\n", 404);
    }
    return Serve(index->second, req);
  };
}

void RegisterUiPage(Router& router, std::span<const UiAsset> assets) {
  router.Add("GET", "/*", UiPageHandler(assets));
}

}  // namespace periscope
