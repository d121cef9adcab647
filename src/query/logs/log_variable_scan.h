#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/logs/template_codec.h"

namespace periscope {

// Sets (*text_hits)[i] for every text i of `templates` (initialised without variables) one of
// whose variables equals `needle`, and clears the others: what TemplateTable::TextHasVariable
// answers, read straight from the raw variable streams `ints` and `strings` without building
// the variables of every text. Integer slots are read only for an integer needle (`ints` may be
// empty otherwise), and string slots only when the string stream holds the needle's bytes.
// Corruption when a stream does not decode. Thread-safe (no shared state).
Status FindVariable(const logs::TemplateTable& templates, std::string_view ints,
                    std::string_view strings, const logs::TemplateTable::VariableNeedle& needle,
                    std::vector<uint8_t>* text_hits);

// True when `lower_piece` occurs in `raw` ignoring ASCII case (an empty piece never does).
bool ContainsIgnoringCase(std::string_view raw, std::string_view lower_piece);

}  // namespace periscope
