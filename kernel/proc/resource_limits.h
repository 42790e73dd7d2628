// A process's resource limits (getrlimit, setrlimit, prlimit64): for each resource a soft
// limit, which the kernel enforces, and a hard limit, the ceiling the soft one may be raised
// to. Inherited at fork, kept across execve.
//
// Enforced here: RLIMIT_NOFILE (descriptors: EMFILE), RLIMIT_FSIZE (a write or truncate past
// it: EFBIG and SIGXFSZ), RLIMIT_AS (all mappings: ENOMEM), RLIMIT_DATA (the program break
// and private writable mappings: ENOMEM), RLIMIT_STACK (the size of the stack mapping at
// execve), RLIMIT_NPROC (fork: EAGAIN, counted in Process::create_child), RLIMIT_CORE
// (core_dump.h: no core below a page, the file cut where the next write would pass it),
// RLIMIT_CPU (cpu_timers.h: SIGXCPU past the soft limit, SIGKILL at the hard one).
// RLIMIT_RTTIME limits real-time scheduling, which Pagoda does not have: a finite value is
// kept and reported, not enforced, and setting one logs a line saying so. The others limit
// things Pagoda does not have (priorities, message queues) or that Linux does not enforce
// either (RSS, LOCKS).
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

constexpr int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_RSS = 5,
              RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11,
              RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15, RLIMIT_COUNT = 16;
constexpr u64 RLIM_INFINITY = ~u64(0);

struct ResourceLimit {
    u64 soft;
    u64 hard;
};

class ResourceLimits {
public:
    ResourceLimits(); // Linux's defaults for the first process

    // InvalidArgument for a resource that does not exist.
    static Result<void> check_resource(int resource);
    ResourceLimit get(int resource) const { return m_limits[resource]; }
    u64 soft(int resource) const { return m_limits[resource].soft; }
    // setrlimit's rules: soft above hard is EINVAL; raising the hard limit needs privilege
    // (EPERM), and RLIMIT_NOFILE's may never pass the most descriptors a process can have.
    Result<void> set(int resource, ResourceLimit, bool privileged);

private:
    ResourceLimit m_limits[RLIMIT_COUNT];
};

char const* resource_name(int resource);

class Process;
// RLIMIT_FSIZE for a truncate of a regular file from `old_size` to `new_size` bytes:
// FileTooBig, with SIGXFSZ sent as Linux sends it, for a growth past the limit.
Result<void> check_file_size_limit(Process& process, u64 old_size, u64 new_size);
// How much of a write of `count` bytes at `offset` fits below RLIMIT_FSIZE: all of it, or
// the part below the limit; FileTooBig (and SIGXFSZ) if the write starts at or past it.
Result<u64> fit_file_size_limit(Process& process, u64 offset, u64 count);
