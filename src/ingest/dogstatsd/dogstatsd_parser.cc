#include "ingest/dogstatsd/dogstatsd_parser.h"

#include <charconv>
#include <cmath>

namespace periscope {

namespace {

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Next '|'-separated field of `rest`, consuming it.
std::string_view NextField(std::string_view& rest) {
  const size_t bar = rest.find('|');
  std::string_view field = rest.substr(0, bar);
  rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
  return field;
}

void SplitTags(std::string_view s, std::vector<std::string_view>* tags) {
  while (!s.empty()) {
    const size_t comma = s.find(',');
    std::string_view tag = s.substr(0, comma);
    s.remove_prefix(comma == std::string_view::npos ? s.size() : comma + 1);
    if (!tag.empty()) tags->push_back(tag);
  }
}

// `_e{<title_len>,<text_len>}:<title>|<text>|...`
Status CheckEvent(std::string_view line) {
  const size_t close = line.find("}:");
  if (close == std::string_view::npos) return Status::InvalidArgument("event without '}}:'");
  std::string_view lens = line.substr(3, close - 3);
  const size_t comma = lens.find(',');
  int64_t title_len = 0, text_len = 0;
  if (comma == std::string_view::npos || !ParseInt(lens.substr(0, comma), &title_len) ||
      !ParseInt(lens.substr(comma + 1), &text_len) || title_len <= 0 || text_len < 0) {
    return Status::InvalidArgument("event lengths '{}' are not valid", lens);
  }
  std::string_view body = line.substr(close + 2);
  const uint64_t need = static_cast<uint64_t>(title_len) + 1 + static_cast<uint64_t>(text_len);
  if (body.size() < need || body[static_cast<size_t>(title_len)] != '|') {
    return Status::InvalidArgument("event title/text shorter than their declared lengths");
  }
  if (body.size() > need && body[need] != '|') {
    return Status::InvalidArgument("event text longer than its declared length");
  }
  return Status::Ok();
}

// `_sc|<name>|<status 0..3>|...`
Status CheckServiceCheck(std::string_view line) {
  std::string_view rest = line.substr(4);
  std::string_view name = NextField(rest);
  std::string_view status = NextField(rest);
  int64_t code = -1;
  if (name.empty() || !ParseInt(status, &code) || code < 0 || code > 3) {
    return Status::InvalidArgument("service check needs a name and a status 0..3");
  }
  return Status::Ok();
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
    RETURN_IF_ERROR(CheckEvent(line));
    return DogStatsdLineKind::kEvent;
  }
  if (line.substr(0, 4) == "_sc|") {
    RETURN_IF_ERROR(CheckServiceCheck(line));
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
