// Time: the legacy PIT drives a periodic tick (the scheduler's clock), and the TSC,
// calibrated against the PIT at boot, gives nanosecond timestamps between ticks.
#pragma once

#include "kernel/lib/types.h"

// 1000 Hz: sleeps and disk waits end within a millisecond of their event. (Under QEMU's
// -icount an idle CPU's clock jumps to the next timer tick, so the tick bounds what a wait
// for the disk costs in instructions; see docs/benchmarks.md.)
constexpr u64 TIMER_HZ = 1000;

// Remaps the legacy PICs to vectors 32..47 and starts the PIT at TIMER_HZ.
void timer_initialize();
// Acknowledges interrupt `irq` at the PIC.
void pic_end_of_interrupt(int irq);
void pic_unmask(int irq);
u64 monotonic_nanoseconds();
