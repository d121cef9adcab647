#include "ingest/dogstatsd/dogstatsd_parser.h"

#include <charconv>
#include <cmath>

#include "ingest/dogstatsd/dogstatsd_event.h"
#include "ingest/dogstatsd/dogstatsd_fields.h"

namespace periscope {

namespace {

using dogstatsd_fields::NextField;
using dogstatsd_fields::ParseInt;
using dogstatsd_fields::SplitTags;

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
}

// `<lowercase letters>:<anything>`, the form of every DogStatsD extension field.
bool IsExtensionField(std::string_view field) {
  const size_t colon = field.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (char c : field.substr(0, colon)) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

Result<DogStatsdLineKind> ParseDogStatsdLine(std::string_view line, DogStatsdMetric* m) {
  if (line.substr(0, 3) == "_e{") {
    RETURN_IF_ERROR(ParseDogStatsdEvent(line).status());
    return DogStatsdLineKind::kEvent;
  }
  if (line.substr(0, 4) == "_sc|") {
    RETURN_IF_ERROR(ParseDogStatsdServiceCheck(line).status());
    return DogStatsdLineKind::kServiceCheck;
  }
  m->values.clear();
  m->members.clear();
  m->tags.clear();
  m->sample_rate = 1.0;
  m->timestamp_s = 0;

  std::string_view rest = line;
  std::string_view head = NextField(rest);
  const size_t colon = head.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("metric line without 'name:value'");
  }
  m->name = head.substr(0, colon);
  std::string_view values = head.substr(colon + 1);
  std::string_view type = NextField(rest);
  if (type == "c") {
    m->type = DogStatsdType::kCounter;
  } else if (type == "g") {
    m->type = DogStatsdType::kGauge;
  } else if (type == "ms") {
    m->type = DogStatsdType::kTimer;
  } else if (type == "h") {
    m->type = DogStatsdType::kHistogram;
  } else if (type == "s") {
    m->type = DogStatsdType::kSet;
  } else if (type == "d") {
    m->type = DogStatsdType::kDistribution;
  } else {
    return Status::InvalidArgument("unknown metric type '{}'", type);
  }
  if (values.empty()) return Status::InvalidArgument("metric without a value");
  while (true) {
    const size_t c = values.find(':');
    std::string_view v = values.substr(0, c);
    if (v.empty()) return Status::InvalidArgument("empty value");
    if (m->type == DogStatsdType::kSet) {
      m->members.push_back(v);
    } else {
      double d = 0;
      if (!ParseDouble(v, &d)) return Status::InvalidArgument("value '{}' is not a number", v);
      m->values.push_back(d);
    }
    if (c == std::string_view::npos) break;
    values.remove_prefix(c + 1);
  }
  while (!rest.empty()) {
    std::string_view field = NextField(rest);
    if (field.empty()) continue;
    if (field.front() == '@') {
      double rate = 0;
      if (!ParseDouble(field.substr(1), &rate) || rate <= 0 || rate > 1) {
        return Status::InvalidArgument("sample rate '{}' is not in (0, 1]", field);
      }
      m->sample_rate = rate;
    } else if (field.front() == '#') {
      SplitTags(field.substr(1), &m->tags);
    } else if (field.front() == 'T') {
      int64_t ts = 0;
      if (!ParseInt(field.substr(1), &ts) || ts <= 0) {
        return Status::InvalidArgument("timestamp '{}' is not valid", field);
      }
      m->timestamp_s = ts;
    } else if (IsExtensionField(field)) {
      // c:<container id>, e:<external data>, card:<cardinality> and later extensions: ignored.
    } else {
      return Status::InvalidArgument("unknown field '{}'", field);
    }
  }
  return DogStatsdLineKind::kMetric;
}

}  // namespace periscope
