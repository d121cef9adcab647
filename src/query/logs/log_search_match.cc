#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "query/logs/log_search_query.h"
#include "storage/logs/log_tokens.h"

namespace periscope {

namespace {

using Node = LogSearchNode;

bool IsTextType(ValueType t) {
  return t == ValueType::kString || t == ValueType::kArray || t == ValueType::kKvList;
}

// Calls fn(text) for the body and each string attribute value until fn returns true.
template <typename Fn>
bool AnyText(const LogBatch& b, size_t row, Fn&& fn) {
  const AnyValue& body = b.body[row];
  if (IsTextType(body.type)) {
    if (fn(std::string_view(body.str))) return true;
  } else if (body.type != ValueType::kEmpty && body.type != ValueType::kBytes) {
    if (fn(std::string_view(body.ToString()))) return true;
  }
  for (const auto& kv : b.attributes[row]) {
    if (kv.value.type == ValueType::kString && fn(std::string_view(kv.value.str))) return true;
  }
  return false;
}

// True when `want` occurs as consecutive tokens of `text`; the last one only as a prefix when
// `last_is_prefix`.
bool HasTokenRun(std::string_view text, const std::vector<std::string>& want, bool last_is_prefix) {
  if (want.empty()) return true;
  std::vector<std::string> have;
  bool found = false;
  logs::ForEachToken(text, [&](std::string_view t) {
    if (found) return;
    have.emplace_back(t);
    if (have.size() < want.size()) return;
    const size_t base = have.size() - want.size();
    for (size_t i = 0; i < want.size(); ++i) {
      const std::string& h = have[base + i];
      const bool last = i + 1 == want.size();
      if (last && last_is_prefix ? !h.starts_with(want[i]) : h != want[i]) return;
    }
    found = true;
  });
  return found;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive substring test: candidates by the needle's first byte in either case.
bool ContainsFolded(std::string_view text, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (lower_needle.size() > text.size()) return false;
  const char first = lower_needle[0];
  const char first_upper = first >= 'a' && first <= 'z' ? static_cast<char>(first - 32) : first;
  const size_t last = text.size() - lower_needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (text[i] != first && text[i] != first_upper) continue;
    size_t j = 1;
    while (j < lower_needle.size() && Lower(text[i + j]) == lower_needle[j]) ++j;
    if (j == lower_needle.size()) return true;
  }
  return false;
}

std::optional<double> NumberOf(const AnyValue& v) {
  switch (v.type) {
    case ValueType::kInt:
    case ValueType::kBool:
      return static_cast<double>(v.int_value);
    case ValueType::kDouble:
      return v.double_value;
    case ValueType::kString: {
      double d = 0;
      auto [end, ec] = std::from_chars(v.str.data(), v.str.data() + v.str.size(), d);
      if (ec == std::errc() && end == v.str.data() + v.str.size() && !v.str.empty()) return d;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

bool CompareString(const Node& n, std::string_view value) {
  return n.op == Node::Op::kPrefix ? value.starts_with(n.text) : value == n.text;
}

bool MatchAttribute(const Node& n, const AnyValue& v) {
  switch (n.op) {
    case Node::Op::kEq:
    case Node::Op::kPrefix:
      return CompareString(n, v.ToString());
    default:
      break;
  }
  auto x = NumberOf(v);
  if (!x) return false;
  switch (n.op) {
    case Node::Op::kGt:
      return *x > n.number;
    case Node::Op::kGe:
      return *x >= n.number;
    case Node::Op::kLt:
      return *x < n.number;
    case Node::Op::kLe:
      return *x <= n.number;
    default:
      return false;
  }
}

bool MatchField(const Node& n, const LogBatch& b, size_t row) {
  const std::string& f = n.field;
  if (f[0] == '@') {
    std::string_view key = std::string_view(f).substr(1);
    for (const auto& kv : b.attributes[row]) {
      if (kv.key == key && MatchAttribute(n, kv.value)) return true;
    }
    for (const auto& kv : b.resource(row).attributes) {
      if (kv.key == key && MatchAttribute(n, kv.value)) return true;
    }
    return false;
  }
  if (f == "service" || f == "env" || f == "version" || f == "host") {
    return n.MatchesTags(b.tags(row));
  }
  if (f == "trace_id") return b.trace_id[row].Hex() == n.text;
  if (f == "span_id") return b.span_id[row].Hex() == n.text;
  if (f == "level") {
    int num = 0;
    auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), num);
    if (ec == std::errc() && end == n.text.data() + n.text.size()) {
      return b.severity_number[row] == num;
    }
    return b.severity_class(row) == SeverityClassFromName(n.text);
  }
  return false;
}

}  // namespace

bool LogSearchNode::MatchesText(std::string_view t) const {
  switch (kind) {
    case Kind::kWord:
      return HasTokenRun(t, tokens, false);
    case Kind::kPrefix: {
      const std::vector<std::string> all = logs::Tokenize(text);
      const bool partial =
          !text.empty() && logs::IsTokenByte(static_cast<unsigned char>(text.back()));
      return HasTokenRun(t, all, partial);
    }
    case Kind::kPhrase:
      return ContainsFolded(t, text);
    default:
      return false;
  }
}

bool LogSearchNode::MatchesTags(const UnifiedTags& tags) const {
  if (field == "service") return CompareString(*this, tags.service);
  if (field == "env") return CompareString(*this, tags.env);
  if (field == "version") return CompareString(*this, tags.version);
  if (field == "host") return CompareString(*this, tags.host);
  return false;
}

bool LogSearchNode::Matches(const LogBatch& b, size_t row) const {
  switch (kind) {
    case Kind::kAll:
      return true;
    case Kind::kWord:
    case Kind::kPrefix:
    case Kind::kPhrase:
      return AnyText(b, row, [&](std::string_view t) { return MatchesText(t); });
    case Kind::kField:
      return MatchField(*this, b, row);
    case Kind::kNot:
      return !children[0].Matches(b, row);
    case Kind::kAnd:
      return std::all_of(children.begin(), children.end(),
                         [&](const Node& c) { return c.Matches(b, row); });
    case Kind::kOr:
      return std::any_of(children.begin(), children.end(),
                         [&](const Node& c) { return c.Matches(b, row); });
  }
  return false;
}

void LogSearchNode::RequiredTokens(std::vector<std::string>* out) const {
  switch (kind) {
    case Kind::kWord:
    case Kind::kPrefix:
      out->insert(out->end(), tokens.begin(), tokens.end());
      break;
    case Kind::kPhrase: {
      // Only tokens enclosed by non-token bytes inside the phrase are whole tokens of the text.
      size_t i = 0;
      while (i < text.size()) {
        if (!logs::IsTokenByte(static_cast<unsigned char>(text[i]))) {
          ++i;
          continue;
        }
        size_t j = i;
        while (j < text.size() && logs::IsTokenByte(static_cast<unsigned char>(text[j]))) ++j;
        const std::string_view token = std::string_view(text).substr(i, j - i);
        if (i > 0 && j < text.size()) out->emplace_back(token);
        i = j;
      }
      break;
    }
    case Kind::kField:
      if (field == "trace_id") out->push_back(text);
      break;
    case Kind::kAnd:
      for (const auto& c : children) c.RequiredTokens(out);
      break;
    default:
      break;
  }
}

std::optional<std::vector<std::string>> LogSearchNode::RequiredServices() const {
  if (kind == Kind::kField && field == "service" && op == Op::kEq) {
    return std::vector<std::string>{text};
  }
  if (kind == Kind::kAnd) {
    for (const auto& c : children) {
      if (auto s = c.RequiredServices()) return s;
    }
  }
  if (kind == Kind::kOr) {
    std::vector<std::string> all;
    for (const auto& c : children) {
      auto s = c.RequiredServices();
      if (!s) return std::nullopt;
      all.insert(all.end(), s->begin(), s->end());
    }
    return all;
  }
  return std::nullopt;
}

std::string LogSearchNode::DebugString() const {
  static constexpr const char* kOps[] = {":", ":*", ":>", ":>=", ":<", ":<="};
  switch (kind) {
    case Kind::kAll:
      return "ALL";
    case Kind::kWord:
      return "word(" + text + ")";
    case Kind::kPrefix:
      return "prefix(" + text + ")";
    case Kind::kPhrase:
      return "phrase(" + text + ")";
    case Kind::kField:
      return field + kOps[static_cast<int>(op)] + text;
    case Kind::kNot:
      return "NOT " + children[0].DebugString();
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out = kind == Kind::kAnd ? "AND(" : "OR(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += " ";
        out += children[i].DebugString();
      }
      return out + ")";
    }
  }
  return "?";
}

}  // namespace periscope
