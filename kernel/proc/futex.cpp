#include "futex.h"
#include "futex_pi.h"
#include "futex_table.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/function_ref.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "process.h"
#include "signal.h"
#include <new>

namespace {

FutexTable g_table;

void wake_thread(Thread& thread) { wake_up(thread); }

Result<FutexKey> key_for(AddressSpace& space, u64 address, bool process_private)
{
    if (address & 3)
        return Errno::Invalid;
    // Linux's access_ok comes first: an address above user space is EFAULT even for a
    // private futex, whose key is only the address (nothing need be mapped there).
    if (address > USER_TOP)
        return Errno::BadAddress;
    if (!process_private) {
        // A shared key names the memory itself, which Linux finds as a read fault would
        // (get_user_pages): no mapping there, one that allows no access (PROT_NONE), or a
        // file page past the file's end (SIGBUS) is EFAULT. The read may sleep, so the
        // mapping is looked up after it.
        u32 word;
        TRY(copy_from_user(space, &word, address, sizeof word));
        Mapping const* mapping = space.find_mapping(address);
        if (!mapping || mapping->prot() == 0)
            return Errno::BadAddress;
        if (mapping->is_shared() && mapping->cache())
            return FutexKey { mapping->cache(), mapping->file_offset() + (address - mapping->start()) };
    }
    return FutexKey { &space, address };
}

// Sleeps until `woken()` says a wake took the caller's waiters, `deadline_ns` passes
// (monotonic, 0 = never: TimedOut) or a signal comes (`interrupted`); a sleeper that gives up
// leaves the line (`leave_line`).
Result<void> sleep_until_woken(FunctionRef<bool()> woken, FunctionRef<void()> leave_line, u64 deadline_ns, Errno interrupted)
{
    while (!woken()) {
        if (signal_pending()) {
            leave_line();
            return interrupted;
        }
        if (deadline_ns) {
            if (sleep_until(deadline_ns, SleepKind::Interruptible) && !woken()) {
                leave_line();
                return Errno::TimedOut;
            }
        } else {
            block_current(SleepKind::Interruptible);
        }
    }
    return {};
}

// Queues `waiter` and sleeps until a wake takes it (then success), or gives up as above.
Result<void> wait_in_line(FutexTable::Waiter& waiter, u64 deadline_ns, Errno interrupted)
{
    g_table.enqueue(waiter);
    return sleep_until_woken([&] { return waiter.woken; }, [&] { g_table.remove(waiter); }, deadline_ns, interrupted);
}

}

Result<void> futex_wait(AddressSpace& space, u64 address, u32 expected, u64 deadline_ns, bool process_private, u32 bitset)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    u32 value;
    TRY(copy_from_user(space, &value, address, sizeof value));
    if (value != expected)
        return Errno::TryAgain;
    // Interrupts are off from the check above to the sleep below, so no wake can slip in
    // between (the waker runs only once we have queued ourselves and switched away).
    FutexTable::Waiter waiter { key, current_thread(), bitset };
    // Linux: a wait without a time-out restarts after a SA_RESTART handler; one with a
    // time-out ends with EINTR whenever a handler runs.
    return wait_in_line(waiter, deadline_ns, deadline_ns ? Errno::Interrupted : Errno::RestartSys);
}

Result<u32> futex_wait_vector(AddressSpace& space, FutexVectorEntry const* entries, u32 count, u64 deadline_ns)
{
    OwnArray<FutexTable::Waiter> waiters(new (std::nothrow) FutexTable::Waiter[count]);
    if (!waiters)
        return Errno::NoMemory;
    // Every word's key first (a bad address is EFAULT or EINVAL before anything waits), as
    // Linux's futex_wait_multiple_setup.
    for (u32 i = 0; i < count; ++i) {
        waiters[i].key = TRY(key_for(space, entries[i].address, entries[i].process_private));
        waiters[i].thread = current_thread();
        waiters[i].group = waiters.ptr();
        waiters[i].group_size = count;
    }
    auto woken_index = [&]() -> i64 {
        for (u32 i = 0; i < count; ++i) {
            if (waiters[i].woken)
                return i;
        }
        return -1;
    };
    auto leave_line = [&] {
        for (u32 i = 0; i < count; ++i)
            g_table.remove(waiters[i]);
    };
    // Each waiter is queued before its word is read: the read may sleep to fault the page
    // in, and a wake of a word checked already must then end the call (Linux returns the
    // index woken even if a later word differs or faults).
    for (u32 i = 0; i < count; ++i) {
        g_table.enqueue(waiters[i]);
        u32 value;
        Result<void> read = copy_from_user(space, &value, entries[i].address, sizeof value);
        if (i64 woken = woken_index(); woken >= 0)
            return static_cast<u32>(woken);
        if (read.is_error() || value != entries[i].expected) {
            leave_line();
            return read.is_error() ? read.error() : Errno::TryAgain;
        }
    }
    // The time-out is absolute, so a restart keeps it: Linux restarts after a SA_RESTART
    // handler whether or not there is one.
    TRY(sleep_until_woken([&] { return woken_index() >= 0; }, leave_line, deadline_ns, Errno::RestartSys));
    return static_cast<u32>(woken_index());
}

Result<u32> futex_wake(AddressSpace& space, u64 address, u32 count, bool process_private, u32 bitset)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    if (g_table.has_waiters(key, true))
        return Errno::Invalid; // a PI lock's waiters wait for a hand-over, not a wake
    return g_table.wake(key, count, bitset, [](Thread& thread) { wake_thread(thread); });
}

Result<u32> futex_requeue(AddressSpace& space, u64 address, u32 wake_count, u32 move_count, u64 target, bool process_private,
    bool compare, u32 expected)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    FutexKey target_key = TRY(key_for(space, target, process_private));
    if (compare) {
        u32 value;
        TRY(copy_from_user(space, &value, address, sizeof value));
        if (value != expected)
            return Errno::TryAgain;
    }
    if (g_table.has_waiters(key, true))
        return Errno::Invalid;
    return g_table.requeue(key, target_key, wake_count, move_count, [](Thread& thread) { wake_thread(thread); });
}

namespace {

// FUTEX_WAKE_OP's operation on the second word and its comparison with the old value.
Result<u32> apply_operation(u32 encoded, u32 old)
{
    constexpr u32 OPARG_SHIFT = 8;
    u32 op = (encoded >> 28) & 7;
    i32 argument = static_cast<i32>(encoded << 8) >> 20;
    if ((encoded >> 28) & OPARG_SHIFT) {
        if (argument < 0 || argument > 31)
            return Errno::Invalid;
        argument = 1 << argument;
    }
    u32 arg = static_cast<u32>(argument);
    switch (op) {
    case 0:
        return arg; // SET
    case 1:
        return old + arg; // ADD
    case 2:
        return old | arg; // OR
    case 3:
        return old & ~arg; // ANDN
    case 4:
        return old ^ arg; // XOR
    default:
        return Errno::NoSys;
    }
}

Result<bool> compare(u32 encoded, u32 old)
{
    i32 value = static_cast<i32>(old);
    i32 argument = static_cast<i32>(encoded << 20) >> 20;
    switch ((encoded >> 24) & 15) {
    case 0:
        return value == argument;
    case 1:
        return value != argument;
    case 2:
        return value < argument;
    case 3:
        return value <= argument;
    case 4:
        return value > argument;
    case 5:
        return value >= argument;
    default:
        return Errno::NoSys;
    }
}

}

Result<u32> futex_wake_op(
    AddressSpace& space, u64 address, u32 wake_count, u64 second, u32 second_wake_count, u32 encoded, bool process_private)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    FutexKey second_key = TRY(key_for(space, second, process_private));
    // The read-modify-write of the second word must not sleep half-way, or another thread
    // could change the word in between: fault it in writable first (writing its own value
    // back may sleep), then read and write with nothing in between that can.
    u32 old;
    TRY(copy_from_user(space, &old, second, sizeof old));
    TRY(copy_to_user(space, second, &old, sizeof old));
    TRY(copy_from_user(space, &old, second, sizeof old));
    u32 updated = TRY(apply_operation(encoded, old));
    bool wake_second = TRY(compare(encoded, old));
    TRY(copy_to_user(space, second, &updated, sizeof updated));
    // Linux changes the word first, then finds the PI waiters it refuses.
    if (g_table.has_waiters(key, true) || (wake_second && g_table.has_waiters(second_key, true)))
        return Errno::Invalid;
    auto wake = [](Thread& thread) { wake_thread(thread); };
    u32 woken = g_table.wake(key, wake_count, FUTEX_BITSET_MATCH_ANY, wake);
    if (wake_second)
        woken += g_table.wake(second_key, second_wake_count, FUTEX_BITSET_MATCH_ANY, wake);
    return woken;
}

Result<void> futex_lock_pi(AddressSpace& space, u64 address, u64 deadline_ns, bool process_private, bool try_only)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    Thread* self = current_thread();
    bool waited = false;
    u32 gone_owner = 0;
    for (;;) {
        u32 word;
        TRY(copy_from_user(space, &word, address, sizeof word));
        PiLockStep step = pi_lock_step(word, self->tid(), waited || g_table.has_waiters(key, true), gone_owner);
        if (step.action == PiLockAction::Deadlock)
            return Errno::Deadlock;
        if (g_table.has_waiters(key, false))
            return Errno::Invalid; // plain FUTEX_WAIT sleepers on this word: not a PI lock
        // The swap may sleep to fault the page in; if user space changed the word meanwhile
        // (its owner let go, another thread took it), decide afresh.
        if (step.word != word && TRY(compare_exchange_user(space, address, word, step.word)) != word)
            continue;
        if (step.action == PiLockAction::Take) {
            g_table.set_pi_owner(key, self->tid());
            return {};
        }
        // The word names an owner, and now says it is waited for: its unlock will come here.
        // Linux refuses to wait for a TID no thread has (ESRCH) — even a try, which also
        // leaves FUTEX_WAITERS set, as Linux's does. A process's last thread stays findable
        // while exit() tears the rest down (which may sleep), after it handed its PI locks
        // on: a waiter queued for it then would wait for ever, so it counts as gone.
        u32 owner = word & FUTEX_TID_MASK;
        Process* owner_process;
        if (!find_any_thread(owner, &owner_process) || owner_process->is_exiting())
            return Errno::NoProcess;
        if (try_only)
            return Errno::TryAgain;
        FutexTable::Waiter waiter { key, self };
        waiter.tid = self->tid();
        waiter.pi_owner = owner;
        // Linux: a signal never ends the wait with EINTR; the call restarts, handler or not
        // (the time-out is absolute, so a restart keeps it).
        TRY(wait_in_line(waiter, deadline_ns, Errno::RestartNoIntr));
        if (waiter.handed_over)
            return {}; // the unlocker wrote our TID into the word
        // Woken without the lock: its owner ended. Take it over if the word still names that
        // owner, or nobody (a robust list released it); else someone else was quicker.
        waited = true;
        gone_owner = waiter.owner_gone ? waiter.pi_owner : 0;
    }
}

Result<void> futex_unlock_pi(AddressSpace& space, u64 address, bool process_private)
{
    FutexKey key = TRY(key_for(space, address, process_private));
    u32 word;
    TRY(copy_from_user(space, &word, address, sizeof word));
    if ((word & FUTEX_TID_MASK) != current_thread()->tid())
        return Errno::NotPermitted; // Linux: only the owner unlocks
    for (;;) {
        // First a swap that changes nothing, to fault the page in writable: the swap that
        // names the next owner then has nothing to sleep for, so the waiter it names is still
        // in line (another CPU's user space may still change the word at any time).
        u32 seen = TRY(compare_exchange_user(space, address, word, word));
        FutexTable::Waiter* next = g_table.next_pi_owner(key);
        u32 next_tid = next ? next->tid : 0;
        u32 updated = pi_unlocked_word(next_tid);
        if (seen == word)
            seen = TRY(compare_exchange_user(space, address, word, updated));
        if (seen != word) {
            // User space changed the word while its owner was in here: Linux tries again if
            // only the flag bits changed, and otherwise leaves it to user space.
            if ((seen & FUTEX_TID_MASK) != (word & FUTEX_TID_MASK))
                return next ? Errno::Invalid : Errno::TryAgain;
            word = seen;
            continue;
        }
        // Should the swap have slept after all, the waiter it named may have given up
        // meanwhile: hand over only to the one still first in line.
        next = g_table.next_pi_owner(key);
        if ((next ? next->tid : 0) == next_tid) {
            if (next)
                g_table.hand_over(*next, [](Thread& thread) { wake_thread(thread); });
            return {};
        }
        word = updated; // it names a thread that left the line: name whoever is first now
    }
}

void futex_pi_owner_exited(u32 tid)
{
    g_table.pi_owner_exited(tid, [](Thread& thread) { wake_thread(thread); });
}
