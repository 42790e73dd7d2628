// struct timespec as system calls pass it, and its one validity rule (EINVAL for a
// negative value or nanoseconds past a second); struct rusage for CPU times.
#pragma once

#include "kernel/sched/scheduler.h"
#include "user_memory.h"

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

constexpr u64 NS = 1000000000;

constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
              CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
// A clock's time now, in nanoseconds (sys_time.cpp); EINVAL for a clock there is not.
Result<u64> clock_now(int clock);

inline Result<Timespec> read_timespec(UserAddress address)
{
    Timespec value = TRY(read_user<Timespec>(address));
    if (value.seconds < 0 || value.nanoseconds < 0 || value.nanoseconds >= static_cast<i64>(NS))
        return Errno::Invalid;
    return value;
}

inline u64 nanoseconds_of(Timespec const& t) { return static_cast<u64>(t.seconds) * NS + static_cast<u64>(t.nanoseconds); }

// struct rusage (144 bytes): the two times as timevals; the counters after them (maximum
// resident set, faults, context switches, ...) are not kept per process and read 0.
struct Rusage {
    i64 user_seconds, user_microseconds, system_seconds, system_microseconds;
    i64 counters[14];
};
static_assert(sizeof(Rusage) == 144);

inline Rusage rusage_of(CpuTimes const& times)
{
    Rusage usage {};
    usage.user_seconds = static_cast<i64>(times.user_ns / NS);
    usage.user_microseconds = static_cast<i64>(times.user_ns % NS / 1000);
    usage.system_seconds = static_cast<i64>(times.system_ns / NS);
    usage.system_microseconds = static_cast<i64>(times.system_ns % NS / 1000);
    return usage;
}
