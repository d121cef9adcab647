#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/log_batch.h"

namespace periscope::logs {

inline constexpr char kLoghubDir[] = "/work/shared/data/loghub";

// Lines of a text file, without line terminators (empty when the file is missing).
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Every *.log file of the Loghub sample directory, sorted; empty when it is missing.
inline std::vector<std::string> LoghubFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kLoghubDir, ec)) {
    if (e.path().extension() == ".log") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// One row per line: service `service`, time base + i ms, the line as string body.
inline LogBatch LinesToBatch(const std::vector<std::string>& lines, const std::string& service,
                             int64_t base_ns) {
  LogBatch b;
  Resource r;
  r.attributes.push_back({"service.name", AnyValue::String(service)});
  r.tags = ExtractUnifiedTags(r.attributes);
  b.resources.push_back(r);
  b.scopes.emplace_back();
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t row = b.AddRow(0, 0);
    b.time_ns[row] = base_ns + static_cast<int64_t>(i) * 1'000'000;
    b.observed_time_ns[row] = b.time_ns[row];
    b.body[row] = AnyValue::String(lines[i]);
  }
  return b;
}

}  // namespace periscope::logs
