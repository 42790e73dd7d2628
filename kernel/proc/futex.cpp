#include "futex.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "signal.h"

namespace {

struct FutexKey {
    void const* object; // the PageCache of a shared mapping, or the AddressSpace
    u64 offset; // byte offset in the file, or the virtual address

    bool operator==(FutexKey const&) const = default;
};

struct Waiter {
    FutexKey key;
    Thread* thread;
    bool woken { false };
    ListNode node;
};

IntrusiveList<Waiter, &Waiter::node> g_waiters;

Result<FutexKey> key_for(AddressSpace& space, u64 address, bool process_private)
{
    if (address & 3)
        return Errno::Invalid;
    // Linux's access_ok comes first: an address above user space is EFAULT even for a
    // private futex, whose key is only the address (nothing need be mapped there).
    if (address > USER_TOP)
        return Errno::BadAddress;
    if (!process_private) {
        // A shared key names the memory itself, which Linux finds as a fault would: no
        // mapping there, or one that allows no access (PROT_NONE), is EFAULT.
        Mapping const* mapping = space.find_mapping(address);
        if (!mapping || mapping->prot() == 0)
            return Errno::BadAddress;
        if (mapping->is_shared() && mapping->cache())
            return FutexKey { mapping->cache(), mapping->file_offset() + (address - mapping->start()) };
    }
    return FutexKey { &space, address };
}

}

Result<void> futex_wait(AddressSpace& space, u64 address, u32 expected, u64 deadline_ns, bool process_private)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    u32 value;
    TRY(copy_from_user(space, &value, address, sizeof value));
    if (value != expected)
        return Errno::TryAgain;
    // Interrupts are off from the check above to the sleep below, so no wake can slip in
    // between (the waker runs only once we have queued ourselves and switched away).
    Waiter waiter { key, current_thread() };
    g_waiters.append(waiter);
    while (!waiter.woken) {
        if (signal_pending()) {
            g_waiters.remove(waiter);
            // Linux: a wait without a time-out restarts after a SA_RESTART handler; one with
            // a time-out ends with EINTR whenever a handler runs.
            return deadline_ns ? Errno::Interrupted : Errno::RestartSys;
        }
        if (deadline_ns) {
            if (sleep_until(deadline_ns, SleepKind::Interruptible) && !waiter.woken) {
                g_waiters.remove(waiter);
                return Errno::TimedOut;
            }
        } else {
            block_current(SleepKind::Interruptible);
        }
    }
    return {};
}

Result<u32> futex_wake(AddressSpace& space, u64 address, u32 count, bool process_private)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    u32 woken = 0;
    for (Waiter* waiter = g_waiters.first(); waiter && woken < count;) {
        Waiter* next = g_waiters.next(*waiter);
        if (waiter->key == key) {
            g_waiters.remove(*waiter);
            waiter->woken = true;
            wake_up(*waiter->thread);
            ++woken;
        }
        waiter = next;
    }
    return woken;
}
