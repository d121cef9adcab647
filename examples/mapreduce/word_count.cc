#include "word_count.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace mapreduce {

namespace rpc = periscope::rpc;

uint64_t CountWords(std::string_view text, WordCounts& counts) {
  uint64_t words = 0;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    ++counts[word];
    ++words;
    word.clear();
  };
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') {
      word.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c >= 'a' && c <= 'z') {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

rpc::Result<uint64_t> CountChunk(const std::string& path, uint64_t begin, uint64_t end,
                                 WordCounts& counts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return rpc::Status(rpc::StatusCode::kNotFound, "cannot open " + path);
  uint64_t pos = begin;
  std::string line;
  if (begin > 0) {
    in.seekg(static_cast<std::streamoff>(begin - 1));
    char before = 0;
    if (!in.get(before)) return uint64_t{0};  // begin is past the end of the file
    if (before != '\n') {
      if (!std::getline(in, line)) return uint64_t{0};
      pos += line.size() + 1;
    }
  }
  uint64_t words = 0;
  while (pos < end && std::getline(in, line)) {
    words += CountWords(line, counts);
    pos += line.size() + 1;
  }
  if (in.bad()) return rpc::Status(rpc::StatusCode::kDataLoss, "read error in " + path);
  return words;
}

uint32_t PartitionOf(std::string_view word, uint32_t partitions) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : word) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<uint32_t>(hash % partitions);
}

void MergeCounts(const WordCounts& from, WordCounts& into) {
  for (const auto& [word, count] : from) into[word] += count;
}

rpc::Result<WordCounts> CountFiles(const std::vector<std::string>& paths) {
  WordCounts counts;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return rpc::Status(rpc::StatusCode::kNotFound, "cannot open " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CountWords(text, counts);
  }
  return counts;
}

rpc::Result<std::vector<std::string>> ListInputs(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return std::vector<std::string>{path};
  if (!std::filesystem::is_directory(path, ec)) {
    return rpc::Status(rpc::StatusCode::kNotFound, "no such file or directory: " + path);
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  if (ec) return rpc::Status(rpc::StatusCode::kNotFound, "cannot list " + path);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mapreduce
