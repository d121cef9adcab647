#include <algorithm>

#include "periscope/trace/span_context.h"
#include "sdk/text_util.h"

namespace periscope::trace {
namespace {

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

}  // namespace

bool TraceState::IsValidKey(std::string_view key) {
  size_t at = key.find('@');
  if (at == std::string_view::npos) {
    if (key.empty() || key.size() > 256 || !IsLcAlpha(key[0])) return false;
    return std::all_of(key.begin(), key.end(), IsKeyChar);
  }
  std::string_view tenant = key.substr(0, at), system = key.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14) return false;
  if (!IsLcAlpha(tenant[0]) && !IsDigit(tenant[0])) return false;
  if (!IsLcAlpha(system[0])) return false;
  return std::all_of(tenant.begin(), tenant.end(), IsKeyChar) &&
         std::all_of(system.begin(), system.end(), IsKeyChar);
}

bool TraceState::IsValidValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

std::optional<TraceState> TraceState::Parse(std::string_view header) {
  TraceState state;
  for (std::string_view member : internal::Split(header, ',')) {
    member = internal::TrimOws(member);
    if (member.empty()) continue;
    size_t eq = member.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = member.substr(0, eq), value = member.substr(eq + 1);
    if (!IsValidKey(key) || !IsValidValue(value)) return std::nullopt;
    if (state.Get(key)) return std::nullopt;
    if (state.entries_.size() == kMaxEntries) return std::nullopt;
    state.entries_.emplace_back(std::string(key), std::string(value));
  }
  return state;
}

std::optional<std::string_view> TraceState::Get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<TraceState> TraceState::Set(std::string_view key, std::string_view value) const {
  if (!IsValidKey(key) || !IsValidValue(value)) return std::nullopt;
  TraceState out = Delete(key);
  out.entries_.insert(out.entries_.begin(), {std::string(key), std::string(value)});
  if (out.entries_.size() > kMaxEntries) out.entries_.pop_back();
  return out;
}

TraceState TraceState::Delete(std::string_view key) const {
  TraceState out = *this;
  std::erase_if(out.entries_, [&](const auto& e) { return e.first == key; });
  return out;
}

std::string TraceState::ToHeader() const {
  std::string out;
  for (const auto& [k, v] : entries_) {
    if (!out.empty()) out.push_back(',');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

}  // namespace periscope::trace
