#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "query/logs/log_search_query.h"
#include "storage/logs/log_block_columns.h"

namespace periscope {

// Evaluates `query` over the rows of one part block that are set in `mask` (one byte per row),
// setting (*out)[r] for each masked row that matches and clearing every other entry. Reads only
// the columns the query needs: words and phrases are decided once per body template when the
// template settles them (a word without digits never falls inside a variable), and only the
// bodies of undecided templates are rebuilt; service/env/version/host filters are decided per
// resource and level filters from the severity columns. Anything else is evaluated on the
// decoded rows. Corruption from unreadable columns. Stateless; thread-safe.
Status MatchLogBlock(const LogSearchNode& query, LogBlockColumns& columns,
                     const std::vector<uint8_t>& mask, std::vector<uint8_t>* out);

// How a body template settles a word, prefix or phrase node for every text that uses it.
enum class TemplateVerdict : uint8_t { kNone, kAll, kMaybe };

// Verdict of text node `node` (kWord, kPrefix or kPhrase) for stored template `tmpl` (see
// logs::kTemplateLiteral): kAll when every text of the template matches, kNone when none can,
// else kMaybe.
TemplateVerdict TemplateVerdictOf(const LogSearchNode& node, std::string_view tmpl);

}  // namespace periscope
