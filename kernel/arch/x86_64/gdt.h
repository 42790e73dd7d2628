// Segment descriptors and the task-state segment. In long mode segments are nearly flat;
// the GDT matters for privilege levels, and the TSS tells the CPU which kernel stack to use
// when an interrupt arrives from user mode.
#pragma once

#include "kernel/lib/types.h"

// The descriptor whose segment limit is the CPU's number (gdt.cpp); the vDSO's getcpu
// reads it with `lsl` (kernel/proc/vdso/vdso.c has the same number).
constexpr u16 CPU_NUMBER_SELECTOR = (8 << 3) | 3;

// Loads CPU `cpu_index`'s GDT and TSS on the calling CPU (0: the boot CPU).
void gdt_initialize(unsigned cpu_index);
// The stack CPU `cpu_index` switches to on an interrupt from user mode (its current
// thread's); set_kernel_entry_stack (per_cpu.h) calls it for the calling CPU.
void tss_set_kernel_stack(unsigned cpu_index, u64 stack_top);
