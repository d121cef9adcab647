#include "api/http_types.h"

#include <boost/json.hpp>

namespace periscope {

std::string HttpRequest::Param(std::string_view name, std::string fallback) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? fallback : it->second;
}

std::vector<std::string> HttpRequest::Params(std::string_view name) const {
  std::vector<std::string> out;
  auto [lo, hi] = params.equal_range(std::string(name));
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

std::string HttpRequest::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::Tenant() const {
  std::string t = Header("x-scope-orgid");
  return t.empty() ? "default" : t;
}

HttpResponse HttpResponse::Json(std::string body, int status) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(int status, std::string_view message) {
  boost::json::object o;
  o["error"] = message;
  return Json(boost::json::serialize(o), status);
}

HttpResponse HttpResponse::Text(std::string body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace periscope
