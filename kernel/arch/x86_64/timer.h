// Time: the legacy PIT drives a periodic tick (the scheduler's clock), and the TSC,
// calibrated against the PIT at boot, gives nanosecond timestamps between ticks.
#pragma once

#include "kernel/lib/types.h"

constexpr u64 TIMER_HZ = 100;

// Remaps the legacy PICs to vectors 32..47 and starts the PIT at TIMER_HZ.
void timer_initialize();
// Acknowledges interrupt `irq` at the PIC.
void pic_end_of_interrupt(int irq);
void pic_unmask(int irq);
u64 monotonic_nanoseconds();
