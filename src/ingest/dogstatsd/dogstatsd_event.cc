#include "ingest/dogstatsd/dogstatsd_event.h"

#include <charconv>
#include <map>
#include <tuple>

#include "ingest/dogstatsd/dogstatsd_fields.h"

namespace periscope {

namespace {

namespace logs_pb = opentelemetry::proto::logs::v1;
namespace common_pb = opentelemetry::proto::common::v1;
using dogstatsd_fields::NextField;
using dogstatsd_fields::ParseInt;
using dogstatsd_fields::SplitTags;

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Which resource a record belongs to: the unified tags and the host.
struct ResourceKey {
  std::string service, env, version, host;
  auto operator<=>(const ResourceKey&) const = default;
};

void SetString(common_pb::KeyValue* kv, std::string_view key, std::string_view value) {
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::string(value));
}

// Splits tags into the resource key and record attributes.
ResourceKey ClassifyTags(const std::vector<std::string>& tags, std::string_view host,
                         logs_pb::LogRecord* record) {
  ResourceKey key{"", "", "", std::string(host)};
  common_pb::ArrayValue* bare = nullptr;
  for (const std::string& tag : tags) {
    const size_t colon = tag.find(':');
    if (colon == std::string::npos) {
      if (!bare) {
        auto* kv = record->add_attributes();
        kv->set_key("tags");
        bare = kv->mutable_value()->mutable_array_value();
      }
      bare->add_values()->set_string_value(tag);
      continue;
    }
    const std::string_view k = std::string_view(tag).substr(0, colon);
    const std::string_view v = std::string_view(tag).substr(colon + 1);
    if (k == "service") {
      key.service = v;
    } else if (k == "env") {
      key.env = v;
    } else if (k == "version") {
      key.version = v;
    } else if (k == "host" && key.host.empty()) {
      key.host = v;
    } else {
      SetString(record->add_attributes(), k, v);
    }
  }
  return key;
}

uint64_t TimeOf(int64_t timestamp_s, int64_t now_ns) {
  return static_cast<uint64_t>(timestamp_s > 0 ? timestamp_s * 1000000000 : now_ns);
}

}  // namespace

Result<DogStatsdEvent> ParseDogStatsdEvent(std::string_view line) {
  if (line.substr(0, 3) != "_e{") return Status::InvalidArgument("event must start with '_e{{'");
  const size_t close = line.find("}:");
  if (close == std::string_view::npos) return Status::InvalidArgument("event without '}}:'");
  const std::string_view lens = line.substr(3, close - 3);
  const size_t comma = lens.find(',');
  int64_t title_len = 0, text_len = 0;
  if (comma == std::string_view::npos || !ParseInt(lens.substr(0, comma), &title_len) ||
      !ParseInt(lens.substr(comma + 1), &text_len) || title_len <= 0 || text_len < 0) {
    return Status::InvalidArgument("event lengths '{}' are not valid", lens);
  }
  std::string_view body = line.substr(close + 2);
  const size_t tl = static_cast<size_t>(title_len);
  const size_t xl = static_cast<size_t>(text_len);
  if (body.size() < tl + 1 + xl || body[tl] != '|') {
    return Status::InvalidArgument("event title/text shorter than their declared lengths");
  }
  if (body.size() > tl + 1 + xl && body[tl + 1 + xl] != '|') {
    return Status::InvalidArgument("event text longer than its declared length");
  }
  DogStatsdEvent e;
  e.title = Unescape(body.substr(0, tl));
  e.text = Unescape(body.substr(tl + 1, xl));
  std::string_view rest = body.substr(std::min(body.size(), tl + 2 + xl));
  while (!rest.empty()) {
    const std::string_view f = NextField(rest);
    if (f.size() >= 1 && f[0] == '#') {
      SplitTags(f.substr(1), &e.tags);
      continue;
    }
    if (f.size() < 2 || f[1] != ':') continue;  // unknown fields are ignored, like the agent
    const std::string_view v = f.substr(2);
    switch (f[0]) {
      case 'd':
        if (!ParseInt(v, &e.timestamp_s)) return Status::InvalidArgument("event timestamp '{}'", v);
        break;
      case 'h':
        e.hostname = v;
        break;
      case 'k':
        e.aggregation_key = v;
        break;
      case 'p':
        e.priority = v;
        break;
      case 's':
        e.source_type = v;
        break;
      case 't':
        e.alert_type = v;
        break;
      default:
        break;
    }
  }
  return e;
}

Result<DogStatsdServiceCheck> ParseDogStatsdServiceCheck(std::string_view line) {
  if (line.substr(0, 4) != "_sc|") return Status::InvalidArgument("check must start with '_sc|'");
  std::string_view rest = line.substr(4);
  DogStatsdServiceCheck c;
  c.name = NextField(rest);
  int64_t status = -1;
  if (c.name.empty() || !ParseInt(NextField(rest), &status) || status < 0 || status > 3) {
    return Status::InvalidArgument("service check needs a name and a status 0..3");
  }
  c.status = static_cast<int>(status);
  while (!rest.empty()) {
    // The message comes last and may contain '|'.
    if (rest.substr(0, 2) == "m:") {
      c.message = Unescape(rest.substr(2));
      break;
    }
    const std::string_view f = NextField(rest);
    if (!f.empty() && f[0] == '#') {
      SplitTags(f.substr(1), &c.tags);
    } else if (f.substr(0, 2) == "d:") {
      if (!ParseInt(f.substr(2), &c.timestamp_s)) {
        return Status::InvalidArgument("service check timestamp '{}'", f.substr(2));
      }
    } else if (f.substr(0, 2) == "h:") {
      c.hostname = f.substr(2);
    }
  }
  return c;
}

opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest DogStatsdToOtlpLogs(
    const std::vector<DogStatsdEvent>& events, const std::vector<DogStatsdServiceCheck>& checks,
    int64_t now_ns) {
  std::map<ResourceKey, std::vector<logs_pb::LogRecord>> by_resource;
  for (const DogStatsdEvent& e : events) {
    logs_pb::LogRecord r;
    r.set_time_unix_nano(TimeOf(e.timestamp_s, now_ns));
    r.set_observed_time_unix_nano(static_cast<uint64_t>(now_ns));
    const bool error = e.alert_type == "error";
    const bool warning = e.alert_type == "warning";
    r.set_severity_number(error     ? logs_pb::SEVERITY_NUMBER_ERROR
                          : warning ? logs_pb::SEVERITY_NUMBER_WARN
                                    : logs_pb::SEVERITY_NUMBER_INFO);
    r.set_severity_text(error ? "ERROR" : warning ? "WARN" : "INFO");
    r.mutable_body()->set_string_value(e.text.empty() ? e.title : e.title + "\n" + e.text);
    SetString(r.add_attributes(), "event.kind", "datadog.event");
    SetString(r.add_attributes(), "event.title", e.title);
    SetString(r.add_attributes(), "event.alert_type", e.alert_type);
    SetString(r.add_attributes(), "event.priority", e.priority);
    if (!e.aggregation_key.empty()) {
      SetString(r.add_attributes(), "event.aggregation_key", e.aggregation_key);
    }
    if (!e.source_type.empty()) SetString(r.add_attributes(), "event.source_type", e.source_type);
    ResourceKey key = ClassifyTags(e.tags, e.hostname, &r);
    by_resource[std::move(key)].push_back(std::move(r));
  }
  static constexpr const char* kStatus[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  for (const DogStatsdServiceCheck& c : checks) {
    logs_pb::LogRecord r;
    r.set_time_unix_nano(TimeOf(c.timestamp_s, now_ns));
    r.set_observed_time_unix_nano(static_cast<uint64_t>(now_ns));
    r.set_severity_number(c.status == 0   ? logs_pb::SEVERITY_NUMBER_INFO
                          : c.status == 2 ? logs_pb::SEVERITY_NUMBER_ERROR
                                          : logs_pb::SEVERITY_NUMBER_WARN);
    r.set_severity_text(kStatus[c.status]);
    r.mutable_body()->set_string_value(c.message.empty() ? c.name + " " + kStatus[c.status]
                                                         : c.message);
    SetString(r.add_attributes(), "event.kind", "datadog.service_check");
    SetString(r.add_attributes(), "check.name", c.name);
    SetString(r.add_attributes(), "check.status", kStatus[c.status]);
    ResourceKey key = ClassifyTags(c.tags, c.hostname, &r);
    by_resource[std::move(key)].push_back(std::move(r));
  }
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  for (auto& [key, records] : by_resource) {
    logs_pb::ResourceLogs* rl = req.add_resource_logs();
    auto* res = rl->mutable_resource();
    if (!key.service.empty()) SetString(res->add_attributes(), "service.name", key.service);
    if (!key.env.empty()) SetString(res->add_attributes(), "deployment.environment.name", key.env);
    if (!key.version.empty()) SetString(res->add_attributes(), "service.version", key.version);
    if (!key.host.empty()) SetString(res->add_attributes(), "host.name", key.host);
    logs_pb::ScopeLogs* sl = rl->add_scope_logs();
    sl->mutable_scope()->set_name("dogstatsd");
    for (auto& r : records) *sl->add_log_records() = std::move(r);
  }
  return req;
}

}  // namespace periscope
