// Time: the TSC, calibrated against the legacy PIT at boot, gives nanosecond timestamps.
// Interrupts at a time come from each CPU's local APIC timer (kernel/sched/local_timer.h);
// the PIT is stopped once it has measured the TSC.
#pragma once

#include "kernel/lib/types.h"

// The boot CPU's scheduler tick while it runs a thread (the scheduler's; ends no sleep).
constexpr u64 TIMER_HZ = 1000;

// Calibrates the TSC and stops the PIT's channel 0, which the firmware left running: it
// would keep an interrupt (masked, but a timer event in QEMU) coming 18 times a second.
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
