#pragma once

namespace periscope::app {

// Re-executes this binary once (same pid, argv and fds) with GLIBC_TUNABLES set to
// glibc.malloc.hugetlb=1, so that glibc backs its heaps with transparent huge pages: the memtable
// is hundreds of MiB of small allocations, and faulting fresh memory in 4 KiB pages costs more
// CPU than decoding it. Does nothing when GLIBC_TUNABLES is already set (the operator's choice,
// and the marker of the re-executed process) or PERISCOPE_MALLOC_DEFAULTS=1; returns when it
// did not re-execute (also when exec fails).
void ReexecWithMallocTunables(char** argv);

// mallopt settings for a long-running server: freed memory (the memtable after each flush) stays
// in the process for the next batches instead of being returned and faulted in again, up to
// 512 MiB of free memory per heap; allocations up to 32 MiB come from the heaps. Call first in
// main(), before threads start. Skipped when PERISCOPE_MALLOC_DEFAULTS=1.
void TuneMalloc();

}  // namespace periscope::app
