#include "query/logs/log_block_match.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "query/logs/log_variable_scan.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"

namespace periscope {

namespace {

using Node = LogSearchNode;
using Kind = LogSearchNode::Kind;

bool Any(const std::vector<uint8_t>& v) { return std::find(v.begin(), v.end(), 1) != v.end(); }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool HasDigit(std::string_view s) { return std::any_of(s.begin(), s.end(), IsDigit); }

// One token of a template: a literal (lower-cased) token or a variable.
struct TemplateToken {
  std::string text;
  char var = 0;  // logs::kTemplateIntVar / kTemplateStrVar, or 0 for a literal
};

std::vector<TemplateToken> TemplateTokens(std::string_view tmpl) {
  std::vector<TemplateToken> out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const char c = tmpl[i];
    if (c == logs::kTemplateIntVar || c == logs::kTemplateStrVar) {
      out.push_back({"", c});
      ++i;
      continue;
    }
    if (!logs::IsTokenByte(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    TemplateToken& t = out.emplace_back();
    while (i < tmpl.size() && logs::IsTokenByte(static_cast<unsigned char>(tmpl[i]))) {
      t.text.push_back(Lower(tmpl[i++]));
    }
  }
  return out;
}

// Whether a variable token (int: digits only; str: token bytes with a digit) can equal `want`,
// or, when `prefix`, start with it.
bool VarCanMatch(char var, std::string_view want, bool prefix) {
  if (var == logs::kTemplateIntVar) {
    return std::all_of(want.begin(), want.end(), IsDigit) && (prefix || !want.empty());
  }
  return prefix || HasDigit(want);
}

// Word and prefix nodes: a run of whole tokens, the last one possibly a prefix.
TemplateVerdict TokenRunVerdict(const std::vector<TemplateToken>& have,
                                const std::vector<std::string>& want, bool last_is_prefix) {
  if (want.empty()) return TemplateVerdict::kAll;
  TemplateVerdict best = TemplateVerdict::kNone;
  for (size_t s = 0; s + want.size() <= have.size(); ++s) {
    bool possible = true, certain = true;
    for (size_t i = 0; i < want.size() && possible; ++i) {
      const TemplateToken& h = have[s + i];
      const bool prefix = last_is_prefix && i + 1 == want.size();
      if (h.var != 0) {
        certain = false;
        possible = VarCanMatch(h.var, want[i], prefix);
      } else {
        possible = prefix ? h.text.starts_with(want[i]) : h.text == want[i];
      }
    }
    if (possible && certain) return TemplateVerdict::kAll;
    if (possible) best = TemplateVerdict::kMaybe;
  }
  return best;
}

bool ContainsFolded(std::string_view text, std::string_view lower_needle) {
  return std::search(text.begin(), text.end(), lower_needle.begin(), lower_needle.end(),
                     [](char a, char b) { return Lower(a) == b; }) != text.end();
}

// Phrase nodes: kAll when the phrase lies inside the literal text between variables; else
// whether it can occur in some text of the template, a variable standing for any non-empty run
// of digits (int) or of token bytes with a digit (str).
TemplateVerdict PhraseVerdict(std::string_view tmpl, std::string_view phrase) {
  if (phrase.empty()) return TemplateVerdict::kAll;
  size_t seg = 0;
  for (size_t i = 0; i <= tmpl.size(); ++i) {
    if (i == tmpl.size() || tmpl[i] == logs::kTemplateIntVar || tmpl[i] == logs::kTemplateStrVar) {
      if (ContainsFolded(tmpl.substr(seg, i - seg), phrase)) return TemplateVerdict::kAll;
      seg = i + 1;
    }
  }
  const size_t m = phrase.size();
  // cur[j]: the first j bytes of the phrase match text ending just before this template byte.
  std::vector<uint8_t> cur(m + 1, 0), next(m + 1, 0);
  cur[0] = 1;
  for (char c : tmpl) {
    std::fill(next.begin(), next.end(), 0);
    if (c == logs::kTemplateIntVar || c == logs::kTemplateStrVar) {
      auto in_class = [&](char p) {
        return c == logs::kTemplateIntVar ? IsDigit(p)
                                          : logs::IsTokenByte(static_cast<unsigned char>(p));
      };
      for (size_t j = 0; j < m; ++j) {
        if (!cur[j]) continue;
        bool digit = false;
        for (size_t k = j; k < m && in_class(phrase[k]); ++k) {
          digit |= IsDigit(phrase[k]);
          // A str variable that starts and ends inside the phrase shows its digit there.
          const bool inside = j > 0 && k + 1 < m;
          if (c == logs::kTemplateIntVar || digit || !inside) next[k + 1] = 1;
        }
      }
    } else {
      for (size_t j = 0; j < m; ++j) {
        if (cur[j] && Lower(c) == phrase[j]) next[j + 1] = 1;
      }
    }
    if (next[m]) return TemplateVerdict::kMaybe;
    next[0] = 1;
    std::swap(cur, next);
  }
  return TemplateVerdict::kNone;
}

Status Fallback(const Node& node, LogBlockColumns& cols, const std::vector<uint8_t>& mask,
                std::vector<uint8_t>* out) {
  ASSIGN_OR_RETURN(const LogBatch* batch, cols.Full());
  for (size_t r = 0; r < mask.size(); ++r) (*out)[r] = mask[r] && node.Matches(*batch, r);
  return Status::Ok();
}

// True when one of `lower_pieces` may occur (case-insensitively) inside `raw`.
bool AnyPieceIn(std::string_view raw, const std::vector<std::string>& lower_pieces) {
  return std::any_of(lower_pieces.begin(), lower_pieces.end(),
                     [&](const std::string& piece) { return ContainsIgnoringCase(raw, piece); });
}

// The verdict of `node` for template `id` of `templates`, from the cache when the same template
// text was judged in an earlier block.
TemplateVerdict CachedVerdict(const Node& node, const logs::TemplateTable& templates, uint32_t id,
                              LogBlockMatchCache* cache) {
  const std::string_view text = templates.template_text(id);
  // A literal is one text seen once: keeping it would only cost.
  const bool literal = !text.empty() && text[0] == logs::kTemplateLiteral;
  if (cache == nullptr || literal) return TemplateVerdictOf(node, text);
  auto& by_text = cache->verdicts[&node];
  auto it = by_text.find(text);
  if (it != by_text.end()) return it->second;
  const TemplateVerdict v = TemplateVerdictOf(node, text);
  by_text.emplace(std::string(text), v);
  return v;
}

Status MatchText(const Node& node, LogBlockColumns& cols, size_t block,
                 const std::vector<uint8_t>& mask, std::vector<uint8_t>* out,
                 LogBlockMatchCache* cache) {
  ASSIGN_OR_RETURN(const std::string* types, cols.BodyTypes());
  // -1 until the first undecided phrase row asks: whether any variable of the block can hold
  // a piece of the phrase (see below).
  int vars_may_hold_piece = -1;
  std::string scratch;
  // One whole token with a digit is only ever a variable of a (non-literal) template: compare
  // it with the variables instead of rebuilding the texts.
  std::optional<logs::TemplateTable::VariableNeedle> needle;
  if (node.kind == Kind::kWord && node.tokens.size() == 1 && HasDigit(node.tokens[0])) {
    needle = logs::TemplateTable::MakeNeedle(node.tokens[0]);
  }
  // The texts holding the needle are found in the raw variable streams, without building the
  // variables of the block.
  std::vector<uint8_t> needle_hits;
  bool needle_scanned = false;
  std::string ints_raw;
  // A phrase that the literal text of a template does not hold overlaps a variable of the text
  // in exactly one of its token runs, so a text none of whose variables contains one of them
  // cannot match.
  std::vector<std::string> pieces;
  if (node.kind == Kind::kPhrase) {
    logs::ForEachToken(node.text, [&](std::string_view t) { pieces.emplace_back(t); });
  }
  const bool int_piece = std::any_of(pieces.begin(), pieces.end(), [](const auto& p) {
    return std::all_of(p.begin(), p.end(), IsDigit);
  });
  // A phrase none of whose pieces is in a string variable (and none all digits) lies inside the
  // literal text of one template: when the template dictionary does not hold it either, no text
  // of the block matches, and no template needs to be judged.
  bool texts_ruled_out = false;
  if (node.kind == Kind::kPhrase && !node.text.empty() && !pieces.empty() && !int_piece) {
    ASSIGN_OR_RETURN(std::string_view strings, cols.BodyStrings());
    if (!AnyPieceIn(strings, pieces)) {
      vars_may_hold_piece = 0;
      std::string local;
      std::string& raw = cache != nullptr ? cache->scratch : local;
      RETURN_IF_ERROR(cols.part().ReadColumn(block, logs::kLogColBodyTemplates, &raw));
      texts_ruled_out = !ContainsIgnoringCase(raw, node.text);
    }
  }
  const logs::TemplateTable* templates = nullptr;
  const std::vector<uint32_t>* text_index = nullptr;
  std::vector<int8_t> verdicts;
  if (!texts_ruled_out) {
    ASSIGN_OR_RETURN(templates, cols.BodyTemplates(false));
    ASSIGN_OR_RETURN(text_index, cols.TextIndexes());
    verdicts.assign(templates->template_count(), -1);
  }
  bool other_bodies = false;
  for (size_t r = 0; r < mask.size(); ++r) {
    if (!mask[r]) continue;
    const auto type = static_cast<ValueType>((*types)[r]);
    if (type == ValueType::kString || type == ValueType::kArray || type == ValueType::kKvList) {
      if (texts_ruled_out) continue;
      const uint32_t t = (*text_index)[r];
      const uint32_t id = templates->code(t);
      if (verdicts[id] < 0) {
        verdicts[id] = static_cast<int8_t>(CachedVerdict(node, *templates, id, cache));
      }
      const auto v = static_cast<TemplateVerdict>(verdicts[id]);
      if (v == TemplateVerdict::kMaybe && node.kind == Kind::kPhrase) {
        // Pieces with a letter never fall inside an int variable, and every string variable is
        // stored verbatim in one stream: when none of them is in that stream, no text of the
        // block can match, and its variables need not be decoded.
        if (vars_may_hold_piece < 0) {
          if (int_piece) {
            vars_may_hold_piece = 1;
          } else {
            ASSIGN_OR_RETURN(std::string_view strings, cols.BodyStrings());
            vars_may_hold_piece = AnyPieceIn(strings, pieces) ? 1 : 0;
          }
        }
        if (vars_may_hold_piece == 0) {
          (*out)[r] = 0;
          continue;
        }
      }
      if (v == TemplateVerdict::kMaybe && needle) {
        if (!needle_scanned) {
          ASSIGN_OR_RETURN(std::string_view strings, cols.BodyStrings());
          std::string_view ints;
          if (needle->is_int) {
            RETURN_IF_ERROR(cols.part().ReadColumn(block, logs::kLogColBodyInts, &ints_raw));
            ints = ints_raw;
          }
          RETURN_IF_ERROR(FindVariable(*templates, ints, strings, *needle, &needle_hits));
          needle_scanned = true;
        }
        (*out)[r] = needle_hits[t];
      } else if (v == TemplateVerdict::kMaybe) {
        if (!templates->variables_loaded()) RETURN_IF_ERROR(cols.BodyTemplates(true).status());
        if (node.kind == Kind::kPhrase && !templates->TextHasVariableContaining(t, pieces)) {
          (*out)[r] = 0;
        } else {
          scratch.clear();
          templates->AppendText(t, &scratch);
          (*out)[r] = node.MatchesText(scratch);
        }
      } else {
        (*out)[r] = v == TemplateVerdict::kAll;
      }
    } else if (type != ValueType::kEmpty && type != ValueType::kBytes) {
      other_bodies = true;  // ints, doubles, bools: matched on their display text below
    }
  }
  if (other_bodies) {
    ASSIGN_OR_RETURN(const LogBatch* batch, cols.Full());
    for (size_t r = 0; r < mask.size(); ++r) {
      if (mask[r] && !(*out)[r]) (*out)[r] = node.Matches(*batch, r);
    }
    return Status::Ok();
  }
  bool undecided = false;
  for (size_t r = 0; r < mask.size() && !undecided; ++r) undecided = mask[r] && !(*out)[r];
  if (!undecided) return Status::Ok();
  ASSIGN_OR_RETURN(const bool has_attributes, cols.HasAttributes());
  if (!has_attributes) return Status::Ok();
  ASSIGN_OR_RETURN(const std::vector<Attributes>* attrs, cols.RowAttributes());
  for (size_t r = 0; r < mask.size(); ++r) {
    if (!mask[r] || (*out)[r]) continue;
    for (const auto& kv : (*attrs)[r]) {
      if (kv.value.type == ValueType::kString && node.MatchesText(kv.value.str)) {
        (*out)[r] = 1;
        break;
      }
    }
  }
  return Status::Ok();
}

Status MatchField(const Node& node, LogBlockColumns& cols, const std::vector<uint8_t>& mask,
                  std::vector<uint8_t>* out) {
  const std::string& f = node.field;
  if (f == "service" || f == "env" || f == "version" || f == "host") {
    const auto& resources = cols.part().resources();
    std::vector<uint8_t> ok(resources.size());
    for (size_t i = 0; i < resources.size(); ++i) ok[i] = node.MatchesTags(resources[i].tags);
    ASSIGN_OR_RETURN(const std::vector<uint32_t>* index, cols.ResourceIndexes());
    for (size_t r = 0; r < mask.size(); ++r) (*out)[r] = mask[r] && ok[(*index)[r]];
    return Status::Ok();
  }
  if (f == "level") {
    int num = 0;
    auto [end, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), num);
    if (ec != std::errc() || end != node.text.data() + node.text.size()) {
      const SeverityClass want = SeverityClassFromName(node.text);
      ASSIGN_OR_RETURN(const std::vector<SeverityClass>* classes, cols.SeverityClasses());
      for (size_t r = 0; r < mask.size(); ++r) (*out)[r] = mask[r] && (*classes)[r] == want;
      return Status::Ok();
    }
  }
  return Fallback(node, cols, mask, out);
}

}  // namespace

TemplateVerdict TemplateVerdictOf(const LogSearchNode& node, std::string_view tmpl) {
  if (!tmpl.empty() && tmpl[0] == logs::kTemplateLiteral) {
    return node.MatchesText(tmpl.substr(1)) ? TemplateVerdict::kAll : TemplateVerdict::kNone;
  }
  switch (node.kind) {
    case Kind::kWord:
      return TokenRunVerdict(TemplateTokens(tmpl), node.tokens, false);
    case Kind::kPrefix: {
      const bool partial =
          !node.text.empty() && logs::IsTokenByte(static_cast<unsigned char>(node.text.back()));
      return TokenRunVerdict(TemplateTokens(tmpl), logs::Tokenize(node.text), partial);
    }
    case Kind::kPhrase:
      return PhraseVerdict(tmpl, node.text);
    default:
      return TemplateVerdict::kMaybe;
  }
}

Status MatchLogBlock(const LogSearchNode& node, LogBlockColumns& cols, size_t block,
                     const std::vector<uint8_t>& mask, std::vector<uint8_t>* out,
                     LogBlockMatchCache* cache) {
  out->assign(mask.size(), 0);
  if (!Any(mask)) return Status::Ok();
  switch (node.kind) {
    case Kind::kAll:
      *out = mask;
      return Status::Ok();
    case Kind::kWord:
    case Kind::kPrefix:
    case Kind::kPhrase:
      return MatchText(node, cols, block, mask, out, cache);
    case Kind::kField:
      return MatchField(node, cols, mask, out);
    case Kind::kNot: {
      std::vector<uint8_t> child;
      RETURN_IF_ERROR(MatchLogBlock(node.children[0], cols, block, mask, &child, cache));
      for (size_t r = 0; r < mask.size(); ++r) (*out)[r] = mask[r] && !child[r];
      return Status::Ok();
    }
    case Kind::kAnd: {
      std::vector<uint8_t> cur = mask, next;
      for (const auto& c : node.children) {
        RETURN_IF_ERROR(MatchLogBlock(c, cols, block, cur, &next, cache));
        cur.swap(next);
        if (!Any(cur)) break;
      }
      *out = std::move(cur);
      return Status::Ok();
    }
    case Kind::kOr: {
      std::vector<uint8_t> rest = mask, got;
      for (const auto& c : node.children) {
        RETURN_IF_ERROR(MatchLogBlock(c, cols, block, rest, &got, cache));
        for (size_t r = 0; r < mask.size(); ++r) {
          if (got[r]) {
            (*out)[r] = 1;
            rest[r] = 0;
          }
        }
        if (!Any(rest)) break;
      }
      return Status::Ok();
    }
  }
  return Fallback(node, cols, mask, out);
}

}  // namespace periscope
