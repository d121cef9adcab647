#pragma once

// Word counting, the computation of the mapreduce example: a word is a maximal run of ASCII
// letters, lowercased. Shared by the workers and by the single-process reference count.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "periscope/rpc/status.h"

namespace mapreduce {

using WordCounts = std::unordered_map<std::string, uint64_t>;

// Adds the words of text to counts; returns how many words it saw.
uint64_t CountWords(std::string_view text, WordCounts& counts);

// Counts the words of the lines of `path` whose first byte lies in [begin, end): a line that
// starts before begin belongs to the previous chunk, a line that starts before end is read to
// its end. Chunks that tile a file therefore count every line exactly once. NOT_FOUND when the
// file cannot be read.
periscope::rpc::Result<uint64_t> CountChunk(const std::string& path, uint64_t begin, uint64_t end,
                                            WordCounts& counts);

// The reduce partition of a word: a stable hash (FNV-1a), the same in every process.
uint32_t PartitionOf(std::string_view word, uint32_t partitions);

// Adds every count of from to into.
void MergeCounts(const WordCounts& from, WordCounts& into);

// The counts of every file read whole in this process (the reference for the distributed run).
periscope::rpc::Result<WordCounts> CountFiles(const std::vector<std::string>& paths);

// The regular files of dir (sorted), or the path itself when it is a file. NOT_FOUND when absent.
periscope::rpc::Result<std::vector<std::string>> ListInputs(const std::string& path);

}  // namespace mapreduce
