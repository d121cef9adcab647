#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace periscope::loadgen {

// A severity read from a log line: OTLP severity number (0 = none found) and its text.
struct LineSeverity {
  int number = 0;
  std::string_view text;  // "INFO", "WARN", ...; empty when number is 0
};

// The severity word of a raw log line: the first of its first 10 whitespace-separated fields
// that is a level name (TRACE, DEBUG, INFO, NOTICE, WARN[ING], ERR[OR], FATAL, CRITICAL, SEVERE;
// any case, brackets and punctuation around it ignored), or an Android-style single letter
// V/D/I/W/E/F as field 2-6.
LineSeverity SeverityOfLine(std::string_view line);

// "HDFS_2k.log" -> "hdfs": the file name up to the first '_' or '.', lower-cased.
std::string ServiceNameOfFile(std::string_view file_name);

// The lines of every "*.log" file of a directory (Loghub samples), one data set per file in
// file-name order, with each line's severity. Immutable after Load; thread-compatible.
class LogCorpus {
 public:
  struct Line {
    std::string text;  // without the line terminator
    LineSeverity severity;
  };
  struct DataSet {
    std::string service;
    std::vector<Line> lines;
  };

  // NotFound when the directory has no non-empty *.log file; IOError when one cannot be read.
  // Empty lines are skipped, a trailing '\r' removed and bytes outside printable ASCII replaced
  // by '?' (bodies must be valid UTF-8).
  static Result<LogCorpus> Load(const std::string& dir);
  // A corpus of in-memory data sets (tests); data sets without lines are dropped.
  static LogCorpus FromLines(std::vector<std::pair<std::string, std::vector<std::string>>> sets);

  const std::vector<DataSet>& data_sets() const { return data_sets_; }
  size_t total_lines() const;

 private:
  std::vector<DataSet> data_sets_;
};

}  // namespace periscope::loadgen
