#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace periscope {

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

// Maps (method, path pattern) to handlers. Patterns are literal segments and `{name}`
// placeholders, or end in `*` for a prefix. Routes are added before serving; Dispatch is
// thread-safe afterwards.
class Router {
 public:
  void Add(std::string method, std::string pattern, HttpHandler handler);
  // Exact patterns win over prefix patterns; among each, the first added wins. 404 when no
  // pattern matches the path, 405 when the path matches an exact pattern of another method.
  HttpResponse Dispatch(HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    bool prefix = false;
    HttpHandler handler;
  };
  static bool Match(const Route& route, const std::vector<std::string>& segments,
                    std::vector<std::string>* args);
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace periscope
