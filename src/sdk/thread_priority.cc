#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sdk/batch_worker.h"

namespace periscope::trace::internal {

void LowerThreadPriority(int nice, bool sched_idle) noexcept {
#ifdef __linux__
  if (nice != 0) {
    const id_t tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (current != -1 || errno == 0) {
      (void)::setpriority(PRIO_PROCESS, tid, std::min(current + nice, 19));
    }
  }
  if (sched_idle) {
    const sched_param param{};
    (void)::sched_setscheduler(0, SCHED_IDLE, &param);  // 0: the calling thread
  }
#else
  (void)nice;
  (void)sched_idle;
#endif
}

}  // namespace periscope::trace::internal
