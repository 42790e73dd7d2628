// futex(2): WAIT and WAKE with or without a bitset, REQUEUE and CMP_REQUEUE, WAKE_OP, the
// PI locks (LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI), private or shared, with relative
// (WAIT) or absolute (WAIT_BITSET and LOCK_PI2 on CLOCK_MONOTONIC or CLOCK_REALTIME, LOCK_PI
// on CLOCK_REALTIME) time-outs. The PI requeue pair (WAIT_REQUEUE_PI, CMP_REQUEUE_PI) returns
// ENOSYS with a log line: no C library Pagoda runs uses it (glibc's condition variables
// stopped in 2.25, musl never did). futex_waitv(2): waiting on up to 128 words at once.
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "kernel/lib/log.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/proc/futex.h"
#include "timespec.h"
#include <new>

namespace {

constexpr int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6,
              FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
              FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
constexpr int FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

// REQUEUE and WAKE_OP pass a second count where the time-out pointer would be.
u32 count_in_timeout_slot(UserAddress timeout) { return static_cast<u32>(timeout); }

// Linux clamps counts to INT_MAX (a negative int from user space means "all").
u32 clamp_count(u32 count) { return count > 0x7fffffffu ? 0x7fffffffu : count; }

// The monotonic deadline of a wait's time-out (0: none): `relative` to now (FUTEX_WAIT), or
// absolute on CLOCK_REALTIME (`realtime`) or CLOCK_MONOTONIC.
Result<u64> deadline_of(UserAddress timeout, bool relative, bool realtime)
{
    if (!timeout)
        return 0;
    u64 requested = nanoseconds_of(TRY(read_timespec(timeout)));
    u64 now = monotonic_nanoseconds();
    u64 deadline;
    if (relative) {
        deadline = now + requested;
    } else {
        u64 clock_now = realtime ? realtime_nanoseconds() : now;
        deadline = requested > clock_now ? now + (requested - clock_now) : now;
    }
    return deadline ? deadline : 1;
}

}

Result<i64> sys_futex(UserAddress address, int operation, u32 value, UserAddress timeout, UserAddress second, u32 value3)
{
    bool process_private = operation & FUTEX_PRIVATE_FLAG;
    bool realtime = operation & FUTEX_CLOCK_REALTIME;
    int command = operation & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    AddressSpace& space = user_space();

    // Linux: only the absolute waits may name CLOCK_REALTIME.
    if (realtime && command != FUTEX_WAIT_BITSET && command != FUTEX_WAIT_REQUEUE_PI && command != FUTEX_LOCK_PI2)
        return Errno::NoSys;

    switch (command) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        u32 bitset = command == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : value3;
        if (bitset == 0)
            return Errno::Invalid;
        u64 deadline = TRY(deadline_of(timeout, command == FUTEX_WAIT, realtime));
        TRY(futex_wait(space, address, value, deadline, process_private, bitset));
        return 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        u32 bitset = command == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : value3;
        if (bitset == 0)
            return Errno::Invalid;
        return TRY(futex_wake(space, address, clamp_count(value), process_private, bitset));
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        u32 move = count_in_timeout_slot(timeout);
        if (static_cast<i32>(value) < 0 || static_cast<i32>(move) < 0)
            return Errno::Invalid;
        return TRY(futex_requeue(space, address, value, move, second, process_private, command == FUTEX_CMP_REQUEUE, value3));
    }
    case FUTEX_WAKE_OP:
        return TRY(futex_wake_op(
            space, address, clamp_count(value), second, clamp_count(count_in_timeout_slot(timeout)), value3, process_private));
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2: {
        // Linux: LOCK_PI's time-out is always on CLOCK_REALTIME, LOCK_PI2's on the clock the
        // flag names.
        u64 deadline = TRY(deadline_of(timeout, false, command == FUTEX_LOCK_PI || realtime));
        TRY(futex_lock_pi(space, address, deadline, process_private, false));
        return 0;
    }
    case FUTEX_TRYLOCK_PI:
        TRY(futex_lock_pi(space, address, 0, process_private, true));
        return 0;
    case FUTEX_UNLOCK_PI:
        TRY(futex_unlock_pi(space, address, process_private));
        return 0;
    case FUTEX_WAIT_REQUEUE_PI:
    case FUTEX_CMP_REQUEUE_PI:
        KLOG_ONCE("pid %u: futex operation %d (requeue to a PI lock) is not supported: ENOSYS", current_process().pid(), command);
        return Errno::NoSys;
    default:
        KLOG_ONCE("pid %u: futex operation %d is not known: ENOSYS", current_process().pid(), command);
        return Errno::NoSys;
    }
}

namespace {

// struct futex_waitv, as futex_waitv(2) reads it.
struct FutexWaitv {
    u64 value;
    u64 address;
    u32 flags;
    u32 reserved;
};
static_assert(sizeof(FutexWaitv) == 24);

constexpr u32 FUTEX_WAITV_MAX = 128;
constexpr u32 FUTEX2_SIZE_MASK = 0x03, FUTEX2_SIZE_U32 = 0x02, FUTEX2_NUMA = 0x04, FUTEX2_MPOL = 0x08, FUTEX2_PRIVATE = 128;

// One entry of the array: Linux reads them all, refusing bad flags or a value too wide for
// the word, before it looks at any address.
Result<FutexVectorEntry> entry_of(UserAddress address)
{
    FutexWaitv raw = TRY(read_user<FutexWaitv>(address));
    if ((raw.flags & ~(FUTEX2_SIZE_MASK | FUTEX2_NUMA | FUTEX2_MPOL | FUTEX2_PRIVATE)) || raw.reserved)
        return Errno::Invalid;
    if ((raw.flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32)
        return Errno::Invalid; // Linux has only 32-bit futexes (FUTEX2_SIZE_U8/U16/U64: EINVAL)
    if (raw.flags & (FUTEX2_NUMA | FUTEX2_MPOL)) {
        KLOG_ONCE("pid %u: futex_waitv flags %#x (NUMA futexes) are not supported: EINVAL", current_process().pid(), raw.flags);
        return Errno::Invalid;
    }
    if (raw.value > 0xffffffffu)
        return Errno::Invalid;
    return FutexVectorEntry { raw.address, static_cast<u32>(raw.value), (raw.flags & FUTEX2_PRIVATE) != 0 };
}

}

Result<i64> sys_futex_waitv(UserAddress waiters, u32 count, u32 flags, UserAddress timeout, int clock)
{
    if (flags)
        return Errno::Invalid; // none defined yet
    if (!count || count > FUTEX_WAITV_MAX || !waiters)
        return Errno::Invalid;
    u64 deadline = 0;
    if (timeout) {
        if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
            return Errno::Invalid;
        deadline = TRY(deadline_of(timeout, false, clock == CLOCK_REALTIME));
    }
    OwnArray<FutexVectorEntry> entries(new (std::nothrow) FutexVectorEntry[count]);
    if (!entries)
        return Errno::NoMemory;
    for (u32 i = 0; i < count; ++i)
        entries[i] = TRY(entry_of(waiters + i * sizeof(FutexWaitv)));
    return TRY(futex_wait_vector(user_space(), entries.ptr(), count, deadline));
}
