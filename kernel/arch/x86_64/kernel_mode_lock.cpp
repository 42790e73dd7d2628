#include "kernel_mode_lock.h"
#include "ap_start.h"
#include "cpu.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/lock_order.h"
#include "local_apic.h"
#include "per_cpu.h"
#include "tlb_shootdown.h"
#include "traps.h"

namespace {

// A ticket lock: take a number, wait until it is served. Fair, so a CPU whose thread keeps
// entering and leaving the kernel cannot starve another.
u32 g_next_ticket;
u32 g_now_serving;
u32 g_holder; // this_cpu().index + 1 of the holder, 0 when free
// CPUs holding the lock shared (kernel_mode_lock_try_acquire_shared). An exclusive holder
// waits for this to be 0 once its ticket is served, and no CPU takes it shared while any
// ticket is out, so exclusive and shared holders never overlap.
u32 g_shared_holders;
u64 g_contended, g_wait_cycles; // written by the holder only
u64 g_shared_refused; // atomic: by would-be shared holders
LockClass g_exclusive_class { "kernel-mode lock" };
LockClass g_shared_class { "kernel-mode lock (shared)" };

// A waiter spins this long, then halts until its ticket comes up. Under QEMU (and any
// hypervisor) the holder's virtual CPU may be descheduled by the host for milliseconds:
// a spinning waiter would burn the host CPU the holder needs, a halted one gives it back.
constexpr u32 SPINS_BEFORE_HALT = 50;
// The ticket (+ 1; 0: none) each CPU waits for while halted, for the releaser to wake it.
u32 g_halted_for[MAX_CPUS];

void halt_until_served(u32 ticket)
{
    PerCpu& cpu = this_cpu();
    // Announce, then look again: the releaser bumps g_now_serving, then looks for us (both
    // sequentially consistent), so one of the two sees the other and no wake-up is lost.
    __atomic_store_n(&g_halted_for[cpu.index], ticket + 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&g_now_serving, __ATOMIC_SEQ_CST) != ticket) {
        cpu.halted_for_kernel_mode_lock = true;
        cpu::wait_for_interrupt(); // sti; hlt: the releaser's wake IPI, or any interrupt
        cpu::disable_interrupts();
        cpu.halted_for_kernel_mode_lock = false;
    }
    __atomic_store_n(&g_halted_for[cpu.index], 0, __ATOMIC_RELAXED);
}

}

void kernel_mode_lock_acquire()
{
    u32 self = this_cpu().index + 1;
    VERIFY(__atomic_load_n(&g_holder, __ATOMIC_RELAXED) != self);
    u32 ticket = __atomic_fetch_add(&g_next_ticket, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&g_now_serving, __ATOMIC_ACQUIRE) != ticket) {
        u64 started = cpu::read_tsc();
        u32 spins = 0;
        while (__atomic_load_n(&g_now_serving, __ATOMIC_ACQUIRE) != ticket) {
            tlb_shootdown_answer();
            if (++spins < SPINS_BEFORE_HALT) {
                cpu::pause();
                continue;
            }
            halt_until_served(ticket);
            spins = 0;
        }
        ++g_contended;
        g_wait_cycles += cpu::read_tsc() - started;
    }
    // The ticket is out (sequentially consistent, before this look), so no new shared
    // holder can come in; those already in finish one page fault each, never waiting for us.
    while (__atomic_load_n(&g_shared_holders, __ATOMIC_SEQ_CST) != 0) {
        tlb_shootdown_answer();
        cpu::pause();
    }
    __atomic_store_n(&g_holder, self, __ATOMIC_RELAXED);
    if constexpr (LOCK_ORDER_CHECKS)
        lock_order_acquired(g_exclusive_class);
    if (this_cpu().deferred_irqs)
        run_deferred_interrupts();
}

void kernel_mode_lock_release()
{
    VERIFY(kernel_mode_lock_held_here());
    if constexpr (LOCK_ORDER_CHECKS)
        lock_order_released(g_exclusive_class);
    __atomic_store_n(&g_holder, 0, __ATOMIC_RELAXED);
    u32 next = g_now_serving + 1;
    __atomic_store_n(&g_now_serving, next, __ATOMIC_SEQ_CST);
    u32 cpus = static_cast<u32>(cpus_online());
    for (u32 i = 0; i < cpus; ++i)
        if (__atomic_load_n(&g_halted_for[i], __ATOMIC_SEQ_CST) == next + 1) {
            local_apic_send_ipi(per_cpu(i).apic_id, IPI_WAKE_VECTOR);
            break;
        }
}

bool kernel_mode_lock_try_acquire_shared()
{
    // Announce first, then look for tickets: an exclusive acquirer takes its ticket, then
    // looks at the count (both sequentially consistent), so one of the two sees the other.
    if (__atomic_load_n(&g_next_ticket, __ATOMIC_RELAXED) != __atomic_load_n(&g_now_serving, __ATOMIC_RELAXED)) {
        __atomic_fetch_add(&g_shared_refused, 1, __ATOMIC_RELAXED);
        return false; // held or wanted: the cheap early answer
    }
    __atomic_fetch_add(&g_shared_holders, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&g_next_ticket, __ATOMIC_SEQ_CST) != __atomic_load_n(&g_now_serving, __ATOMIC_SEQ_CST)) {
        __atomic_fetch_sub(&g_shared_holders, 1, __ATOMIC_RELEASE);
        __atomic_fetch_add(&g_shared_refused, 1, __ATOMIC_RELAXED);
        return false;
    }
    if constexpr (LOCK_ORDER_CHECKS)
        lock_order_acquired(g_shared_class);
    return true;
}

void kernel_mode_lock_release_shared()
{
    if constexpr (LOCK_ORDER_CHECKS)
        lock_order_released(g_shared_class);
    __atomic_fetch_sub(&g_shared_holders, 1, __ATOMIC_RELEASE);
}

bool kernel_mode_lock_held_here() { return __atomic_load_n(&g_holder, __ATOMIC_RELAXED) == this_cpu().index + 1; }

KernelModeLockStats kernel_mode_lock_stats()
{
    return { g_contended, g_wait_cycles, __atomic_load_n(&g_shared_refused, __ATOMIC_RELAXED) };
}
