// Time: the legacy PIT drives a periodic tick (the scheduler's clock), and the TSC,
// calibrated against the PIT at boot, gives nanosecond timestamps between ticks.
#pragma once

#include "kernel/lib/types.h"

// 1000 Hz: sleeps and disk waits end within a millisecond of their event. (Under QEMU's
// -icount an idle CPU's clock jumps to the next timer tick, so the tick bounds what a wait
// for the disk costs in instructions; see docs/benchmarks.md.)
constexpr u64 TIMER_HZ = 1000;

// IRQ 0: the PIT's tick. Whoever keeps time (the scheduler) installs its handler.
constexpr unsigned TIMER_IRQ = 0;

// Calibrates the TSC and starts the PIT at TIMER_HZ (its IRQ stays masked until a handler
// is installed with interrupt_set_handler).
void timer_initialize();
u64 monotonic_nanoseconds();
// What monotonic_nanoseconds() computes from: the TSC at boot and its rate. The vDSO does the
// same arithmetic in user mode with these (kernel/proc/vdso_data.h).
struct TscClock {
    u64 at_boot;
    u64 per_microsecond;
};
TscClock tsc_clock();
// The TSC's rate as calibrated at boot, in Hz (/proc/cpuinfo's "cpu MHz").
u64 tsc_frequency_hz();
