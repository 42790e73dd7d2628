// futex(2): FUTEX_WAIT, FUTEX_WAKE and their _BITSET forms with a full bitset, private or
// shared, with relative (WAIT) or absolute (WAIT_BITSET) time-outs. Requeue and the PI
// operations return ENOSYS.
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "kernel/proc/futex.h"
#include "timespec.h"

namespace {

constexpr int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
constexpr int FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
constexpr u32 FUTEX_BITSET_MATCH_ANY = 0xffffffff;

}

Result<i64> sys_futex(UserAddress address, int operation, u32 value, UserAddress timeout, UserAddress, u32 value3)
{
    bool process_private = operation & FUTEX_PRIVATE_FLAG;
    bool realtime = operation & FUTEX_CLOCK_REALTIME;
    int command = operation & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    AddressSpace& space = user_space();

    switch (command) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        if (command == FUTEX_WAIT_BITSET && value3 != FUTEX_BITSET_MATCH_ANY)
            return value3 == 0 ? Errno::Invalid : Errno::NoSys;
        if (realtime && command == FUTEX_WAIT)
            return Errno::NoSys;
        u64 deadline = 0;
        if (timeout) {
            u64 requested = nanoseconds_of(TRY(read_timespec(timeout)));
            u64 now = monotonic_nanoseconds();
            if (command == FUTEX_WAIT) {
                deadline = now + requested; // relative
            } else {
                // Absolute, on CLOCK_MONOTONIC or (with the flag) CLOCK_REALTIME.
                u64 clock_now = realtime ? realtime_nanoseconds() : now;
                deadline = requested > clock_now ? now + (requested - clock_now) : now;
            }
            if (deadline == 0)
                deadline = 1;
        }
        TRY(futex_wait(space, address, value, deadline, process_private));
        return 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (command == FUTEX_WAKE_BITSET && value3 != FUTEX_BITSET_MATCH_ANY)
            return value3 == 0 ? Errno::Invalid : Errno::NoSys;
        return TRY(futex_wake(space, address, value, process_private));
    default:
        return Errno::NoSys;
    }
}
