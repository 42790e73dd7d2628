// RLIMIT_MEMLOCK, as Linux weighs it (mm/mlock.c, mm/mmap.c): a caller without
// CAP_IPC_LOCK — in Pagoda, an effective uid other than 0 — may lock nothing while the limit
// is 0 and no more than the limit in all, counting what it has locked already; a privileged
// caller is not limited. mlock, mlockall (sys_memory_lock.cpp) and mmap's MAP_LOCKED
// (sys_memory.cpp) ask here.
#pragma once

#include "kernel/proc/resource_limits.h"
#include "user_memory.h"

inline u64 memlock_limit() { return current_process().limits.soft(RLIMIT_MEMLOCK); }

// Linux's can_do_mlock: false means EPERM.
inline bool may_lock_at_all() { return memlock_limit() != 0 || caller_credentials().is_privileged(); }

// Whether `bytes` locked in all would be allowed.
inline bool within_lock_limit(u64 bytes)
{
    u64 limit = memlock_limit();
    return limit == RLIM_INFINITY || bytes <= limit || caller_credentials().is_privileged();
}
