#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sdk/batch_worker.h"

namespace periscope::trace::internal {

void LowerThreadPriority(int nice) noexcept {
#ifdef __linux__
  if (nice == 0) return;
  const id_t tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return;
  (void)::setpriority(PRIO_PROCESS, tid, std::min(current + nice, 19));
#else
  (void)nice;
#endif
}

}  // namespace periscope::trace::internal
