#include "loadgen/log_corpus.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace periscope::loadgen {
namespace {

struct LevelWord {
  std::string_view word;
  int number;
  std::string_view text;
};

constexpr std::array<LevelWord, 12> kLevelWords = {{
    {"trace", 1, "TRACE"},
    {"debug", 5, "DEBUG"},
    {"info", 9, "INFO"},
    {"notice", 10, "NOTICE"},
    {"warn", 13, "WARN"},
    {"warning", 13, "WARN"},
    {"err", 17, "ERROR"},
    {"error", 17, "ERROR"},
    {"fatal", 21, "FATAL"},
    {"critical", 21, "FATAL"},
    {"crit", 21, "FATAL"},
    {"severe", 21, "FATAL"},
}};

bool EqualsLower(std::string_view field, std::string_view lower) {
  if (field.size() != lower.size()) return false;
  for (size_t i = 0; i < field.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(field[i])) != lower[i]) return false;
  }
  return true;
}

std::string_view TrimPunct(std::string_view s) {
  auto punct = [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); };
  while (!s.empty() && punct(s.front())) s.remove_prefix(1);
  while (!s.empty() && punct(s.back())) s.remove_suffix(1);
  return s;
}

LineSeverity SeverityOfLetter(char c) {
  switch (c) {
    case 'V':
      return {1, "TRACE"};
    case 'D':
      return {5, "DEBUG"};
    case 'I':
      return {9, "INFO"};
    case 'W':
      return {13, "WARN"};
    case 'E':
      return {17, "ERROR"};
    case 'F':
      return {21, "FATAL"};
    default:
      return {};
  }
}

std::string Sanitize(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string out(line);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && c != '\t')) c = '?';
  }
  return out;
}

}  // namespace

LineSeverity SeverityOfLine(std::string_view line) {
  size_t pos = 0;
  for (int field = 0; field < 10; ++field) {
    while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
    if (pos >= line.size()) break;
    size_t end = pos;
    while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
    std::string_view raw = line.substr(pos, end - pos);
    pos = end;
    if (raw.size() == 1 && field >= 1 && field <= 5) {
      LineSeverity s = SeverityOfLetter(raw[0]);
      if (s.number != 0) return s;
      continue;
    }
    std::string_view word = TrimPunct(raw);
    for (const LevelWord& w : kLevelWords) {
      if (EqualsLower(word, w.word)) return {w.number, w.text};
    }
  }
  return {};
}

std::string ServiceNameOfFile(std::string_view file_name) {
  size_t end = file_name.find_first_of("_.");
  std::string out(file_name.substr(0, end));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<LogCorpus> LogCorpus::Load(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".log") {
      files.push_back(entry.path());
    }
  }
  if (ec) return Status::IOError("cannot list '{}': {}", dir, ec.message());
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, std::vector<std::string>>> sets;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError("cannot read '{}'", path.string());
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(std::move(line));
    if (in.bad()) return Status::IOError("error reading '{}'", path.string());
    sets.emplace_back(ServiceNameOfFile(path.filename().string()), std::move(lines));
  }
  LogCorpus corpus = FromLines(std::move(sets));
  if (corpus.data_sets_.empty()) return Status::NotFound("no non-empty *.log file in '{}'", dir);
  return corpus;
}

LogCorpus LogCorpus::FromLines(std::vector<std::pair<std::string, std::vector<std::string>>> sets) {
  LogCorpus corpus;
  for (auto& [service, lines] : sets) {
    DataSet set{service, {}};
    for (const std::string& text : lines) {
      std::string clean = Sanitize(text);
      if (clean.empty()) continue;
      Line line{std::move(clean), {}};
      line.severity = SeverityOfLine(line.text);
      set.lines.push_back(std::move(line));
    }
    if (!set.lines.empty()) corpus.data_sets_.push_back(std::move(set));
  }
  return corpus;
}

size_t LogCorpus::total_lines() const {
  size_t n = 0;
  for (const DataSet& set : data_sets_) n += set.lines.size();
  return n;
}

}  // namespace periscope::loadgen
