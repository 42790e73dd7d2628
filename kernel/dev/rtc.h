// The CMOS real-time clock, read once at boot for CLOCK_REALTIME.
#pragma once

#include "kernel/lib/types.h"

// Seconds since the Unix epoch, as the RTC reports it (UTC).
u64 rtc_read_unix_seconds();
