#include "periscope/trace/context.h"
#include "sdk/text_util.h"

namespace periscope::trace {
namespace {

// RFC 7230 token characters (baggage keys).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// W3C baggage-octet: printable US-ASCII except space, '"', ',', ';' and '\'.
bool IsBaggageOctet(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (IsBaggageOctet(c) && c != '%') {
      out.push_back(c);
    } else {
      auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// Validates one property ("key" or "key=value"), returns it trimmed.
std::optional<std::string> ParseProperty(std::string_view prop) {
  prop = internal::TrimOws(prop);
  size_t eq = prop.find('=');
  if (eq == std::string_view::npos) {
    if (!IsToken(prop)) return std::nullopt;
    return std::string(prop);
  }
  std::string_view key = internal::TrimOws(prop.substr(0, eq));
  std::string_view value = internal::TrimOws(prop.substr(eq + 1));
  if (!IsToken(key)) return std::nullopt;
  for (char c : value) {
    if (!IsBaggageOctet(c)) return std::nullopt;
  }
  return std::string(key) + "=" + std::string(value);
}

}  // namespace

Baggage Baggage::Parse(std::string_view header) {
  Baggage out;
  if (header.size() > kMaxBytes) return out;
  for (std::string_view member : internal::Split(header, ',')) {
    if (out.entries_.size() >= kMaxEntries) break;
    std::vector<std::string_view> parts = internal::Split(member, ';');
    std::string_view kv = parts[0];
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = internal::TrimOws(kv.substr(0, eq));
    std::string_view raw_value = internal::TrimOws(kv.substr(eq + 1));
    if (!IsToken(key)) continue;
    bool ok = true;
    for (char c : raw_value) ok = ok && IsBaggageOctet(c);
    std::optional<std::string> value = ok ? internal::PercentDecode(raw_value) : std::nullopt;
    if (!value) continue;
    std::string metadata;
    for (size_t i = 1; i < parts.size() && ok; ++i) {
      std::optional<std::string> prop = ParseProperty(parts[i]);
      if (!prop) {
        ok = false;
        break;
      }
      if (!metadata.empty()) metadata.push_back(';');
      metadata += *prop;
    }
    if (!ok) continue;
    std::erase_if(out.entries_, [&](const Entry& e) { return e.key == key; });
    out.entries_.push_back({std::string(key), std::move(*value), std::move(metadata)});
  }
  return out;
}

std::string Baggage::ToHeader() const {
  std::string out;
  size_t count = 0;
  for (const Entry& e : entries_) {
    if (!IsToken(e.key)) continue;
    std::string member = e.key + "=" + PercentEncode(e.value);
    if (!e.metadata.empty()) member += ";" + e.metadata;
    size_t needed = member.size() + (out.empty() ? 0 : 1);
    if (count == kMaxEntries || out.size() + needed > kMaxBytes) continue;
    if (!out.empty()) out.push_back(',');
    out += member;
    ++count;
  }
  return out;
}

std::optional<std::string_view> Baggage::Get(std::string_view key) const& {
  for (const Entry& e : entries_) {
    if (e.key == key) return std::string_view(e.value);
  }
  return std::nullopt;
}

std::optional<std::string> Baggage::Get(std::string_view key) && {
  for (Entry& e : entries_) {
    if (e.key == key) return std::move(e.value);
  }
  return std::nullopt;
}

Baggage Baggage::Set(std::string_view key, std::string_view value,
                     std::string_view metadata) const {
  Baggage out = Delete(key);
  out.entries_.push_back({std::string(key), std::string(value), std::string(metadata)});
  return out;
}

Baggage Baggage::Delete(std::string_view key) const {
  Baggage out = *this;
  std::erase_if(out.entries_, [&](const Entry& e) { return e.key == key; });
  return out;
}

}  // namespace periscope::trace
