#include "api/query_params.h"

#include <charconv>

#include "api/span_json.h"
#include "base/time.h"

namespace periscope {

namespace {
std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

Result<int64_t> ParseDurationParam(std::string_view name, std::string_view value,
                                   int64_t bare_unit_ns) {
  if (auto i = ParseInt(value)) return *i * bare_unit_ns;
  if (auto d = ParseDurationNanos(value)) return *d;
  return Status::InvalidArgument("parameter {}: '{}' is not a duration (e.g. 250ms, 2s)", name,
                                 value);
}

Result<int64_t> ParseTimeParam(std::string_view name, std::string_view value,
                               int64_t bare_unit_ns) {
  if (auto i = ParseInt(value)) return *i * bare_unit_ns;
  if (auto t = ParseTimestamp(value)) return *t;
  return Status::InvalidArgument("parameter {}: '{}' is not a time (RFC 3339 or Unix nanoseconds)",
                                 name, value);
}

Result<size_t> ParseLimit(const HttpRequest& req, size_t fallback, size_t max) {
  std::string s = req.Param("limit");
  if (s.empty()) return fallback;
  auto v = ParseInt(s);
  if (!v || *v < 0) return Status::InvalidArgument("parameter limit: '{}' is not a count", s);
  if (*v == 0) return fallback;
  return std::min<size_t>(static_cast<size_t>(*v), max);
}

Result<SpanQuery> ParseTraceSearch(const HttpRequest& req, int64_t now_ns) {
  SpanQuery q;
  q.tenant = req.Tenant();
  q.service = req.Param("service");
  q.env = req.Param("env");
  q.name = req.Param("name", req.Param("operation"));
  q.max_start_ns = now_ns + 60 * kNanosPerSecond;
  q.min_start_ns = now_ns - 3600 * kNanosPerSecond;
  if (req.HasParam("end")) {
    ASSIGN_OR_RETURN(q.max_start_ns, ParseTimeParam("end", req.Param("end"), 1));
  }
  if (req.HasParam("start")) {
    ASSIGN_OR_RETURN(q.min_start_ns, ParseTimeParam("start", req.Param("start"), 1));
  } else if (req.HasParam("end")) {
    q.min_start_ns = q.max_start_ns - 3600 * kNanosPerSecond;
  }
  if (q.min_start_ns > q.max_start_ns) {
    return Status::InvalidArgument("parameter start is after end");
  }
  if (req.HasParam("min_duration")) {
    ASSIGN_OR_RETURN(q.min_duration_ns,
                     ParseDurationParam("min_duration", req.Param("min_duration"), 1));
  }
  if (req.HasParam("max_duration")) {
    ASSIGN_OR_RETURN(q.max_duration_ns,
                     ParseDurationParam("max_duration", req.Param("max_duration"), 1));
  }
  if (req.HasParam("status")) {
    auto s = ParseStatusCode(req.Param("status"));
    if (!s) return Status::InvalidArgument("parameter status: expected error, ok or unset");
    q.status_code = s;
  }
  if (req.HasParam("kind")) {
    auto k = ParseSpanKind(req.Param("kind"));
    if (!k) {
      return Status::InvalidArgument(
          "parameter kind: expected internal, server, client, producer or consumer");
    }
    q.kind = k;
  }
  for (const auto& a : req.Params("attr")) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("parameter attr: '{}' is not key=value", a);
    }
    q.attributes.push_back({a.substr(0, eq), a.substr(eq + 1)});
  }
  return q;
}

}  // namespace periscope
