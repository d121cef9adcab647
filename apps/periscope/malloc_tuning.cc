#include "apps/periscope/malloc_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace periscope::app {

namespace {

constexpr const char* kTunables = "glibc.malloc.hugetlb=1";
constexpr int kTrimThresholdBytes = 512 << 20;
constexpr int kMmapThresholdBytes = 32 << 20;  // glibc's maximum on 64-bit
constexpr int kTopPadBytes = 64 << 20;         // a new thread heap is mapped whole (64 MiB)

bool MallocDefaultsRequested() {
  const char* v = std::getenv("PERISCOPE_MALLOC_DEFAULTS");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace

void ReexecWithMallocTunables(char** argv) {
  if (MallocDefaultsRequested() || std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (setenv("GLIBC_TUNABLES", kTunables, 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: carry on with glibc's defaults
}

void TuneMalloc() {
  if (MallocDefaultsRequested()) return;
  // Setting any of these also turns off glibc's dynamic mmap threshold.
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
  mallopt(M_TOP_PAD, kTopPadBytes);
}

}  // namespace periscope::app
