#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace periscope {

// A parsed HTTP request as handlers see it: decoded path, query parameters (repeatable),
// lower-case header names, and the whole body. Value type.
struct HttpRequest {
  std::string method;
  std::string target;
  std::string path;
  std::multimap<std::string, std::string> params;
  std::map<std::string, std::string> headers;
  std::string body;
  std::vector<std::string> path_args;  // filled by the router from {placeholders}

  // First value of a query parameter, or `fallback`.
  std::string Param(std::string_view name, std::string fallback = "") const;
  std::vector<std::string> Params(std::string_view name) const;
  bool HasParam(std::string_view name) const { return params.count(std::string(name)) > 0; }
  std::string Header(std::string_view lower_name) const;
  // Tenant from X-Scope-OrgID, "default" when absent.
  std::string Tenant() const;
};

// What a handler answers. Value type.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a streamed body (server-sent events): `body` is ignored and the server calls `stream`
  // on a worker thread until it returns false or the client goes away; each call appends what
  // is ready to *chunk without blocking (an empty chunk makes the server wait a moment).
  std::function<bool(std::string* chunk)> stream;

  static HttpResponse Json(std::string body, int status = 200);
  // {"error": message}
  static HttpResponse Error(int status, std::string_view message);
  static HttpResponse Text(std::string body, int status = 200);
};

}  // namespace periscope
