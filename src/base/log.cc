#include "base/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "base/time.h"

namespace periscope {

namespace {
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::mutex g_mu;
const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}
}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level = level; }

void LogLine(LogLevel level, std::string_view message) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line =
      fmt::format("{} {} {}\n", FormatRfc3339(NowNanos()), LevelName(level), message);
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace periscope
