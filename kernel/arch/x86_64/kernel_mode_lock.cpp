#include "kernel_mode_lock.h"
#include "cpu.h"
#include "kernel/lib/assert.h"
#include "per_cpu.h"
#include "tlb_shootdown.h"

namespace {

// A ticket lock: take a number, wait until it is served. Fair, so a CPU whose thread keeps
// entering and leaving the kernel cannot starve another.
u32 g_next_ticket;
u32 g_now_serving;
u32 g_holder; // this_cpu().index + 1 of the holder, 0 when free
u64 g_contended, g_wait_cycles; // written by the holder only

}

void kernel_mode_lock_acquire()
{
    u32 self = this_cpu().index + 1;
    VERIFY(__atomic_load_n(&g_holder, __ATOMIC_RELAXED) != self);
    u32 ticket = __atomic_fetch_add(&g_next_ticket, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&g_now_serving, __ATOMIC_ACQUIRE) != ticket) {
        u64 started = cpu::read_tsc();
        while (__atomic_load_n(&g_now_serving, __ATOMIC_ACQUIRE) != ticket) {
            tlb_shootdown_answer();
            cpu::pause();
        }
        ++g_contended;
        g_wait_cycles += cpu::read_tsc() - started;
    }
    __atomic_store_n(&g_holder, self, __ATOMIC_RELAXED);
}

void kernel_mode_lock_release()
{
    VERIFY(kernel_mode_lock_held_here());
    __atomic_store_n(&g_holder, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g_now_serving, g_now_serving + 1, __ATOMIC_RELEASE);
}

bool kernel_mode_lock_held_here() { return __atomic_load_n(&g_holder, __ATOMIC_RELAXED) == this_cpu().index + 1; }

KernelModeLockStats kernel_mode_lock_stats() { return { g_contended, g_wait_cycles }; }
