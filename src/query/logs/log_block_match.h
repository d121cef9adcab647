#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "query/logs/log_search_query.h"
#include "storage/logs/log_block_columns.h"

namespace periscope {

// How a body template settles a word, prefix or phrase node for every text that uses it.
enum class TemplateVerdict : uint8_t { kNone, kAll, kMaybe };

// Template verdicts of the text nodes of one query, kept from block to block of one search
// (the same template texts recur in every block of a service), and a scratch buffer. Not
// thread-safe.
struct LogBlockMatchCache {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<const LogSearchNode*,
                     std::unordered_map<std::string, TemplateVerdict, Hash, std::equal_to<>>>
      verdicts;
  std::string scratch;
};

// Evaluates `query` over the rows of block `block` (the one `columns` reads) that are set in
// `mask` (one byte per row), setting (*out)[r] for each masked row that matches and clearing
// every other entry. Reads only the columns the query needs: words and phrases are decided once
// per body template when the template settles them (a word without digits never falls inside a
// variable), a word with digits is looked up in the raw variable streams, and only the bodies
// of other undecided templates are rebuilt; service/env/version/host filters are decided per
// resource and level filters from the severity columns. Anything else is evaluated on the
// decoded rows. `cache` (optional, one per search) keeps template verdicts across blocks.
// Corruption from unreadable columns. Thread-safe without a cache or with one per thread.
Status MatchLogBlock(const LogSearchNode& query, LogBlockColumns& columns, size_t block,
                     const std::vector<uint8_t>& mask, std::vector<uint8_t>* out,
                     LogBlockMatchCache* cache = nullptr);

// Verdict of text node `node` (kWord, kPrefix or kPhrase) for stored template `tmpl` (see
// logs::kTemplateLiteral): kAll when every text of the template matches, kNone when none can,
// else kMaybe.
TemplateVerdict TemplateVerdictOf(const LogSearchNode& node, std::string_view tmpl);

}  // namespace periscope
