// Out of memory: what a user page fault does when no frame is left for it. Clean page-cache
// pages are dropped first, mapped ones too, except pages programs used since reclaim last
// looked (their second chance: the faulter runs the access again once, and what it did not
// touch meanwhile can go); if there are none, a process is killed by the policy of
// oom_policy.h (the largest, never init while another process lives), and the faulter
// retries once the victim's memory is back. Memory held only by tmpfs files cannot be
// taken back this way; tmpfs's own limit (fs/tmpfs.h) keeps it to half of RAM.
#pragma once

#include "kernel/lib/types.h"

class Process;

enum class OomOutcome {
    RetryNow, // clean pages were dropped (or spared once, see below): run the access again
    Retry, // a victim will free its memory: oom_wait(), then run the access again
    KillFaulter, // the faulting process must die (SIGKILL)
};

// Called by `faulter`'s own thread, under the kernel lock, for a fault at `address` that
// found no frame. Logs and counts every kill (/proc/vmstat oom_kill).
OomOutcome out_of_memory(Process& faulter, u64 address);
// Lends the kernel lock out for a tick so that a victim can run to its exit.
void oom_wait();
