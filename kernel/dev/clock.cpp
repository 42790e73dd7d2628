#include "clock.h"
#include "kernel/arch/x86_64/timer.h"
#include "rtc.h"

namespace {
u64 g_seconds_at_boot;
constexpr u64 NS = 1000000000;
}

void realtime_clock_initialize() { g_seconds_at_boot = rtc_read_unix_seconds(); }

u64 realtime_nanoseconds() { return g_seconds_at_boot * NS + monotonic_nanoseconds(); }

u64 realtime_seconds() { return realtime_nanoseconds() / NS; }

u64 realtime_seconds_at_boot() { return g_seconds_at_boot; }
