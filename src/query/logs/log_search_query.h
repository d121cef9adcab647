#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/log_batch.h"

namespace periscope {

// One node of a parsed log search. Value type (children owned).
struct LogSearchNode {
  enum class Kind : uint8_t { kAll, kWord, kPrefix, kPhrase, kField, kNot, kAnd, kOr };
  enum class Op : uint8_t { kEq, kPrefix, kGt, kGe, kLt, kLe };

  Kind kind = Kind::kAll;
  std::string text;   // kWord/kPrefix/kPhrase: lower-cased text; kField: the value
  std::string field;  // kField: service, env, version, host, level, trace_id, span_id, or @key
  Op op = Op::kEq;
  double number = 0;                // kField with a range op
  std::vector<std::string> tokens;  // kWord: its tokens; kPrefix: all but the partial last
  std::vector<LogSearchNode> children;

  // True when row `row` of `batch` satisfies this node.
  bool Matches(const LogBatch& batch, size_t row) const;
  // kWord, kPrefix, kPhrase: true when `text` (a body or string attribute value) satisfies it.
  bool MatchesText(std::string_view text) const;
  // kField on service, env, version or host: true when a row with these tags satisfies it.
  bool MatchesTags(const UnifiedTags& tags) const;
  // Whole (lower-cased) tokens every matching row must contain, for bloom pruning.
  void RequiredTokens(std::vector<std::string>* out) const;
  // Services every matching row must have, or nullopt when any service may match.
  std::optional<std::vector<std::string>> RequiredServices() const;
  // Readable form, for tests and errors.
  std::string DebugString() const;
};

// Parses the log search syntax (docs/api.md): words (AND), "phrases", prefix*, -term / NOT term,
// OR, parentheses, field:value filters (service env version host level trace_id span_id
// @attribute, with >, >=, <, <= on @attributes). An empty query matches everything.
// InvalidArgument naming the 0-based byte position of the problem.
Result<LogSearchNode> ParseLogSearch(std::string_view query);

// The field vocabulary that makes the search syntax fit one signal (logs, spans).
struct SearchFieldSyntax {
  // True when `name:` starts a field filter (else the text is a word).
  bool (*is_field)(std::string_view name) = nullptr;
  // True when the field takes >, >=, <, <= (the raw value is in `text`, `number` is set when it
  // parses as a double); otherwise `range_error` is reported.
  bool (*allows_range)(std::string_view field) = nullptr;
  const char* range_error = "ranges are not allowed here";
  // Checks and normalises a parsed field node; an error message, or "" when it is fine.
  std::string (*check)(LogSearchNode& node) = nullptr;
};

// The same syntax with another field vocabulary; errors as ParseLogSearch.
Result<LogSearchNode> ParseSearchSyntax(std::string_view query, const SearchFieldSyntax& syntax);

}  // namespace periscope
