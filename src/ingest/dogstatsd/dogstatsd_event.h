#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace periscope {

// A DogStatsD event `_e{<title len>,<text len>}:<title>|<text>|d:<ts>|h:<host>|k:<agg key>|
// p:<priority>|s:<source>|t:<alert type>|#<tags>`. Owns its strings. Value type.
struct DogStatsdEvent {
  std::string title;
  std::string text;  // `\\n` escapes turned into newlines
  int64_t timestamp_s = 0;
  std::string hostname;
  std::string aggregation_key;
  std::string priority = "normal";  // normal or low
  std::string source_type;
  std::string alert_type = "info";  // error, warning, info or success
  std::vector<std::string> tags;
};

// A DogStatsD service check `_sc|<name>|<status>|d:<ts>|h:<host>|#<tags>|m:<message>`.
// Value type.
struct DogStatsdServiceCheck {
  std::string name;
  int status = 0;  // 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
  int64_t timestamp_s = 0;
  std::string hostname;
  std::string message;
  std::vector<std::string> tags;
};

// InvalidArgument with the reason when the line is malformed.
Result<DogStatsdEvent> ParseDogStatsdEvent(std::string_view line);
Result<DogStatsdServiceCheck> ParseDogStatsdServiceCheck(std::string_view line);

// The events and service checks as OTLP log records, one resource per (service, env, version,
// host) taken from the `service:`, `env:`, `version:` tags and the hostname: body = title and
// text (or the check's message), severity from the alert type or check status, attributes
// `event.kind` (`datadog.event` / `datadog.service_check`), the event fields, and the other tags
// (`key:value` as attributes, bare tags in `tags`). Records without a timestamp get now_ns.
opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest DogStatsdToOtlpLogs(
    const std::vector<DogStatsdEvent>& events, const std::vector<DogStatsdServiceCheck>& checks,
    int64_t now_ns);

}  // namespace periscope
