// Segment descriptors and the task-state segment. In long mode segments are nearly flat;
// the GDT matters for privilege levels, and the TSS tells the CPU which kernel stack to use
// when an interrupt arrives from user mode.
#pragma once

#include "kernel/lib/types.h"

// Loads CPU `cpu_index`'s GDT and TSS on the calling CPU (0: the boot CPU).
void gdt_initialize(unsigned cpu_index);
// The stack the CPU switches to on an interrupt from user mode (the current thread's).
void tss_set_kernel_stack(u64 stack_top);
