// The wall clock (CLOCK_REALTIME): the CMOS clock's reading at boot plus the monotonic clock
// since. Read by time(), clock_gettime(), futex time-outs and file timestamps.
#pragma once

#include "kernel/lib/types.h"

// Reads the RTC once; call after timer_initialize().
void realtime_clock_initialize();
u64 realtime_nanoseconds();
u64 realtime_seconds();
// The RTC's reading at boot: CLOCK_REALTIME is this plus CLOCK_MONOTONIC.
u64 realtime_seconds_at_boot();
