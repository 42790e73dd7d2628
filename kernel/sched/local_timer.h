// Each CPU's one-shot timer (its local APIC timer), shared by everything that needs an
// interrupt at a moment: the deadlines of sleeping threads and of DeadlineTimers, and — on
// every CPU but the boot CPU, whose tick is the PIT's — the scheduler's tick.
//
// A deadline belongs to no CPU: whichever CPU's timer fires first wakes every sleeper and
// fires every DeadlineTimer that is due (the lists are the machine's, kept under the
// kernel-mode lock). So a new deadline needs a timer only if no CPU's is set to fire by
// then already; if none is, the CPU that set the deadline sets its own. A firing timer
// forgets what it was set for; its handler asks again for what it still needs (the next
// deadline, the next tick), so a timer set early for a deadline that was cancelled costs
// one interrupt and nothing else.
#pragma once

#include "kernel/lib/types.h"

// This CPU's timer interrupts at monotonic time `at_ns` or earlier (if it is set for
// earlier already). A time in the past interrupts at once.
void local_timer_request(u64 at_ns);
// Some CPU's timer interrupts at `deadline_ns` or earlier: this one's, if no other is set
// to by then.
void local_timer_cover(u64 deadline_ns);
// The interrupt came: this CPU's timer is set for nothing now.
void local_timer_expired();
