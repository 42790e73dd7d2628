// Out of memory: what a user page fault does when no frame is left for it. Clean page-cache
// pages are dropped first; if there are none, a process is killed by the policy of
// oom_policy.h (the largest, never init while another process lives), and the faulter
// retries once the victim's memory is back. Memory held only by tmpfs files cannot be
// taken back this way; tmpfs's own limit (fs/tmpfs.h) keeps it to half of RAM.
#pragma once

#include "kernel/lib/types.h"

class Process;

enum class OomOutcome {
    Retry, // memory was (or soon will be) freed: oom_wait(), then run the access again
    KillFaulter, // the faulting process must die (SIGKILL)
};

// Called by `faulter`'s own thread, under the kernel lock, for a fault at `address` that
// found no frame. Logs and counts every kill (/proc/vmstat oom_kill).
OomOutcome out_of_memory(Process& faulter, u64 address);
// Lends the kernel lock out for a tick so that a victim can run to its exit.
void oom_wait();
