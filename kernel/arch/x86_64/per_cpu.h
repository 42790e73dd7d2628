// Each CPU's own small record, found through the GS base: in the kernel, GS_BASE points at
// this CPU's PerCpu; in user mode the user's GS base (always 0: arch_prctl(ARCH_SET_GS) is
// refused) is loaded instead, and `swapgs` on every entry from and exit to user mode
// (interrupts.S) exchanges the two (the other one waits in MSR_KERNEL_GS_BASE). The
// syscall entry needs this most: it arrives on the user's stack with no register free, and
// reads the kernel stack from %gs:PER_CPU_KERNEL_STACK_TOP.
//
// Other CPUs read a PerCpu too (per_cpu(index)): which thread it runs, which page table it
// has loaded. They do so only while holding the kernel-mode lock (kernel_mode_lock.h), and
// those fields change only under it, so they never see one half-written.
#pragma once

#include "acpi_madt.h"
#include "kernel/lib/lock_order.h"
#include "kernel/lib/types.h"

class Thread;

struct PerCpu {
    PerCpu* self; // %gs:0, so that this_cpu() is one load
    u64 kernel_stack_top; // the current thread's: where syscall_entry switches to
    u64 user_rsp; // syscall_entry's scratch slot for the user's stack pointer
    Thread* current; // the thread this CPU runs (the scheduler's; null until it starts here)
    u64 loaded_pml4; // physical address of the page table in CR3 (x86_mmu.cpp)
    // The thread running here has no address space of its own (a kernel thread, the idle
    // loop) and borrows the table loaded last (tlb_shootdown.h: it lets go when asked).
    bool borrowing_address_space;
    // CR4.TSD as this CPU has it: user-mode rdtsc faults (the running thread's rdtsc_faults).
    bool rdtsc_faults;
    u32 index; // 0: the boot CPU
    u32 apic_id; // its local APIC's id: where IPIs for it go
    // While it halts waiting for the kernel-mode lock (kernel_mode_lock.cpp): interrupts
    // are on, and those that need the lock wait here until it is ours (traps.cpp).
    bool halted_for_kernel_mode_lock;
    u32 deferred_irqs; // PIC lines that arrived meanwhile, one bit each, and the local timer
    HeldLocks held_locks; // the lock-order validator's record (lock_order_hooks.h)
};
// interrupts.S uses these offsets.
static_assert(__builtin_offsetof(PerCpu, kernel_stack_top) == 8);
static_assert(__builtin_offsetof(PerCpu, user_rsp) == 16);

// Points the calling CPU's GS base at PerCpu number `index` (after gdt_initialize, whose
// segment loads reset the GS base) and clears the user's GS base.
void per_cpu_initialize(unsigned index);
inline PerCpu& this_cpu()
{
    PerCpu* self;
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return *self;
}
// The current thread in one load (the scheduler's current_thread()).
inline Thread* this_cpu_current()
{
    Thread* current;
    asm volatile("mov %%gs:%c1, %0" : "=r"(current) : "i"(__builtin_offsetof(PerCpu, current)));
    return current;
}
// CPU number `index`'s record (index < cpus_online()).
PerCpu& per_cpu(unsigned index);
// The stack the current CPU enters the kernel on (system calls and interrupts from user
// mode): the TSS's rsp0 and the syscall entry's copy, both this CPU's.
void set_kernel_entry_stack(u64 stack_top);
