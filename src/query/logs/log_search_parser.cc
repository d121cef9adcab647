#include <fmt/format.h>

#include <charconv>

#include "query/logs/log_search_query.h"
#include "storage/logs/log_tokens.h"

namespace periscope {

namespace {

using Node = LogSearchNode;

bool IsFieldName(std::string_view f) {
  return f == "service" || f == "env" || f == "version" || f == "host" || f == "level" ||
         f == "status" || f == "trace_id" || f == "span_id" || (f.size() > 1 && f[0] == '@');
}

bool IsAttributeField(std::string_view f) { return f[0] == '@'; }

// Log-specific checks of a field term: status is level, ids are hex, levels are known.
std::string CheckLogField(Node& n) {
  if (n.field == "status") n.field = "level";
  if (n.op != Node::Op::kEq && n.op != Node::Op::kPrefix) {
    double d = 0;
    auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), d);
    if (n.text.empty() || ec != std::errc() || end != n.text.data() + n.text.size()) {
      return fmt::format("expected a number after the comparison, got '{}'", n.text);
    }
    return "";
  }
  if (n.field == "trace_id" || n.field == "span_id") {
    const bool ok = n.field == "trace_id" ? TraceId::FromHex(n.text).has_value()
                                          : SpanId::FromHex(n.text).has_value();
    if (!ok || n.op != Node::Op::kEq) {
      return fmt::format("{} must be {} hex digits", n.field, n.field == "trace_id" ? 32 : 16);
    }
    n.text = logs::AsciiLower(n.text);
  }
  if (n.field == "level") {
    n.text = logs::AsciiLower(n.text);
    int num = 0;
    auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), num);
    const bool numeric = ec == std::errc() && end == n.text.data() + n.text.size();
    if (!numeric && SeverityClassFromName(n.text) == SeverityClass::kUnset && n.text != "unset") {
      return fmt::format("unknown level '{}'", n.text);
    }
  }
  return "";
}

const SearchFieldSyntax kLogSyntax{IsFieldName, IsAttributeField,
                                   "ranges apply to @attributes only", CheckLogField};

// Recursive-descent parser over the query text. Not thread-safe; one per parse.
class Parser {
 public:
  Parser(std::string_view q, const SearchFieldSyntax& syntax) : q_(q), syntax_(syntax) {}

  Result<Node> Parse() {
    SkipSpace();
    if (pos_ == q_.size()) return Node{};
    ASSIGN_OR_RETURN(Node n, ParseOr());
    SkipSpace();
    if (pos_ != q_.size()) return Error(pos_, "unexpected '{}'", q_[pos_]);
    return n;
  }

 private:
  template <typename... Args>
  Status Error(size_t pos, fmt::format_string<Args...> f, Args&&... args) {
    return Status::InvalidArgument("position {}: {}", pos,
                                   fmt::format(f, std::forward<Args>(args)...));
  }

  void SkipSpace() {
    while (pos_ < q_.size() && (q_[pos_] == ' ' || q_[pos_] == '\t' || q_[pos_] == '\n')) ++pos_;
  }
  bool AtKeyword(std::string_view kw) {
    if (q_.substr(pos_, kw.size()) != kw) return false;
    const size_t end = pos_ + kw.size();
    return end == q_.size() || q_[end] == ' ' || q_[end] == '\t' || q_[end] == '(' ||
           q_[end] == '"';
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == q_.size() || q_[pos_] == ')';
  }

  Result<Node> ParseOr() {
    Node n;
    n.kind = Node::Kind::kOr;
    while (true) {
      ASSIGN_OR_RETURN(Node child, ParseAnd());
      n.children.push_back(std::move(child));
      SkipSpace();
      if (!AtKeyword("OR")) break;
      pos_ += 2;
      if (AtEnd()) return Error(pos_, "OR needs a term after it");
    }
    if (n.children.size() == 1) return std::move(n.children[0]);
    return n;
  }

  Result<Node> ParseAnd() {
    Node n;
    n.kind = Node::Kind::kAnd;
    while (!AtEnd() && !AtKeyword("OR")) {
      if (AtKeyword("AND")) {
        pos_ += 3;
        if (AtEnd()) return Error(pos_, "AND needs a term after it");
        continue;
      }
      ASSIGN_OR_RETURN(Node child, ParseUnary());
      n.children.push_back(std::move(child));
    }
    if (n.children.empty()) return Error(pos_, "expected a search term");
    if (n.children.size() == 1) return std::move(n.children[0]);
    return n;
  }

  Result<Node> ParseUnary() {
    SkipSpace();
    const size_t start = pos_;
    bool negate = false;
    if (q_[pos_] == '-') {
      ++pos_;
      negate = true;
    } else if (AtKeyword("NOT")) {
      pos_ += 3;
      SkipSpace();
      negate = true;
    }
    if (negate) {
      if (pos_ >= q_.size() || q_[pos_] == ' ' || q_[pos_] == ')') {
        return Error(start, "negation needs a term");
      }
      ASSIGN_OR_RETURN(Node inner, ParseUnary());
      Node n;
      n.kind = Node::Kind::kNot;
      n.children.push_back(std::move(inner));
      return n;
    }
    if (q_[pos_] == '(') {
      ++pos_;
      ASSIGN_OR_RETURN(Node inner, ParseOr());
      SkipSpace();
      if (pos_ >= q_.size() || q_[pos_] != ')') return Error(start, "unclosed '('");
      ++pos_;
      return inner;
    }
    if (q_[pos_] == '"') {
      ASSIGN_OR_RETURN(std::string text, Quoted());
      Node n;
      n.kind = Node::Kind::kPhrase;
      n.text = logs::AsciiLower(text);
      if (n.text.empty()) return Error(start, "empty phrase");
      return n;
    }
    return Term();
  }

  Result<std::string> Quoted() {
    const size_t start = pos_;
    ++pos_;
    std::string out;
    while (pos_ < q_.size() && q_[pos_] != '"') {
      if (q_[pos_] == '\\' && pos_ + 1 < q_.size()) ++pos_;
      out.push_back(q_[pos_++]);
    }
    if (pos_ >= q_.size()) return Error(start, "unterminated quote");
    ++pos_;
    return out;
  }

  // A bare word, up to whitespace or a parenthesis.
  std::string Bare() {
    const size_t start = pos_;
    while (pos_ < q_.size() && q_[pos_] != ' ' && q_[pos_] != '\t' && q_[pos_] != '\n' &&
           q_[pos_] != '(' && q_[pos_] != ')' && q_[pos_] != '"') {
      ++pos_;
    }
    return std::string(q_.substr(start, pos_ - start));
  }

  Result<Node> Term() {
    const size_t start = pos_;
    // field:value?
    size_t colon = pos_;
    while (colon < q_.size() && q_[colon] != ':' && q_[colon] != ' ' && q_[colon] != ')' &&
           q_[colon] != '(' && q_[colon] != '"') {
      ++colon;
    }
    if (colon < q_.size() && q_[colon] == ':' && syntax_.is_field(q_.substr(pos_, colon - pos_))) {
      return Field(colon);
    }
    std::string word = Bare();
    if (word.empty()) return Error(start, "expected a search term");
    Node n;
    n.text = logs::AsciiLower(word);
    if (n.text.back() == '*') {
      n.kind = Node::Kind::kPrefix;
      n.text.pop_back();
      n.tokens = logs::Tokenize(n.text);
      if (n.tokens.empty()) return Error(start, "prefix '{}' has no letters or digits", word);
      if (!n.text.empty() && logs::IsTokenByte(static_cast<unsigned char>(n.text.back()))) {
        n.tokens.pop_back();  // the last token is only a prefix
      }
      return n;
    }
    n.kind = Node::Kind::kWord;
    n.tokens = logs::Tokenize(n.text);
    if (n.tokens.empty()) {
      n.kind = Node::Kind::kPhrase;  // only punctuation: match it as text
    }
    return n;
  }

  Result<Node> Field(size_t colon) {
    Node n;
    n.kind = Node::Kind::kField;
    n.field = std::string(q_.substr(pos_, colon - pos_));
    pos_ = colon + 1;
    size_t value_pos = pos_;
    if (pos_ < q_.size() && (q_[pos_] == '>' || q_[pos_] == '<')) {
      if (!syntax_.allows_range(n.field)) return Error(pos_, "{}", syntax_.range_error);
      const bool gt = q_[pos_] == '>';
      ++pos_;
      const bool eq = pos_ < q_.size() && q_[pos_] == '=';
      if (eq) ++pos_;
      n.op = gt ? (eq ? Node::Op::kGe : Node::Op::kGt) : (eq ? Node::Op::kLe : Node::Op::kLt);
      value_pos = pos_;
      n.text = Bare();
      std::from_chars(n.text.data(), n.text.data() + n.text.size(), n.number);
    } else {
      if (pos_ < q_.size() && q_[pos_] == '"') {
        ASSIGN_OR_RETURN(n.text, Quoted());
      } else {
        n.text = Bare();
        if (!n.text.empty() && n.text.back() == '*') {
          n.text.pop_back();
          n.op = Node::Op::kPrefix;
        }
      }
      if (n.text.empty() && n.op == Node::Op::kEq) {
        return Error(value_pos, "field '{}' needs a value", n.field);
      }
    }
    if (std::string problem = syntax_.check(n); !problem.empty()) {
      return Error(value_pos, "{}", problem);
    }
    return n;
  }

  std::string_view q_;
  const SearchFieldSyntax& syntax_;
  size_t pos_ = 0;
};

}  // namespace

Result<LogSearchNode> ParseLogSearch(std::string_view query) {
  return Parser(query, kLogSyntax).Parse();
}

Result<LogSearchNode> ParseSearchSyntax(std::string_view query, const SearchFieldSyntax& syntax) {
  return Parser(query, syntax).Parse();
}

}  // namespace periscope
