#include "api/router.h"

namespace periscope {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, HttpHandler handler) {
  Route r;
  r.method = std::move(method);
  if (!pattern.empty() && pattern.back() == '*') {
    r.prefix = true;
    pattern.pop_back();
  }
  r.segments = SplitPath(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::Match(const Route& route, const std::vector<std::string>& segments,
                   std::vector<std::string>* args) {
  if (route.prefix ? segments.size() < route.segments.size()
                   : segments.size() != route.segments.size()) {
    return false;
  }
  args->clear();
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
      args->push_back(segments[i]);
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

HttpResponse Router::Dispatch(HttpRequest& request) const {
  const std::vector<std::string> segments = SplitPath(request.path);
  bool path_matched = false;
  bool exact_path_matched = false;
  const Route* prefix_route = nullptr;
  std::vector<std::string> prefix_args;
  std::vector<std::string> args;
  for (const auto& route : routes_) {
    if (!Match(route, segments, &args)) continue;
    path_matched = true;
    exact_path_matched |= !route.prefix;
    if (route.method != request.method && !(route.method == "GET" && request.method == "HEAD")) {
      continue;
    }
    if (route.prefix) {
      if (!prefix_route) {
        prefix_route = &route;
        prefix_args = args;
      }
      continue;
    }
    request.path_args = args;
    return route.handler(request);
  }
  // A path that names a route with other methods answers 405, even under a catch-all prefix.
  if (prefix_route && !exact_path_matched) {
    request.path_args = std::move(prefix_args);
    return prefix_route->handler(request);
  }
  if (path_matched) return HttpResponse::Error(405, "method " + request.method + " not allowed");
  return HttpResponse::Error(404, "no such endpoint: " + request.path);
}

}  // namespace periscope
