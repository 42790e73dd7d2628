#include "kernel_lock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/kernel_mode_lock.h"
#include "scheduler.h"
#include "wait_queue.h"

namespace {
Thread* g_owner;
WaitQueue g_waiting;
}

void kernel_lock_acquire()
{
    cpu::InterruptsDisabled guard;
    Thread* self = current_thread();
    if (!self)
        return; // boot: nothing else runs yet
    VERIFY(g_owner != self);
    // The lock order (docs/locking.md): the kernel-mode lock first, always.
    VERIFY(kernel_mode_lock_held_here());
    while (g_owner)
        g_waiting.wait();
    g_owner = self;
}

void kernel_lock_release()
{
    cpu::InterruptsDisabled guard;
    if (!current_thread())
        return;
    VERIFY(g_owner == current_thread());
    g_owner = nullptr;
    g_waiting.wake_all();
}

bool kernel_lock_is_free() { return !g_owner; }

bool kernel_lock_held_by_current() { return g_owner && g_owner == current_thread(); }

bool kernel_lock_held_or_booting()
{
    Thread* self = current_thread();
    return !self || g_owner == self;
}

KeepKernelLockWhileSleeping::KeepKernelLockWhileSleeping()
{
    if (Thread* self = current_thread())
        ++self->keeps_kernel_lock;
}

KeepKernelLockWhileSleeping::~KeepKernelLockWhileSleeping()
{
    if (Thread* self = current_thread())
        --self->keeps_kernel_lock;
}
