// mlock, mlock2, munlock, mlockall, munlockall and mincore: Linux's argument rules, then
// the AddressSpace (kernel/mm/memory_lock.cpp, residency.cpp).
//
// RLIMIT_MEMLOCK is weighed as Linux does (memory_lock_limit.h): EPERM while the limit is 0,
// ENOMEM past it, for a caller without CAP_IPC_LOCK. munlock is never refused.
#include "handlers.h"
#include "memory_lock_limit.h"

namespace {

// mlock's range: `address` rounded down to its page, the length grown by what that added
// and rounded up (Linux: len = PAGE_ALIGN(len + offset_in_page(start))). A length that
// wraps makes the range end before it starts: EINVAL, from set_lock.
Result<i64> change_lock(UserAddress address, u64 length, u32 lock)
{
    u64 in_page = address & (PAGE_SIZE - 1);
    VirtAddr start = address - in_page;
    u64 bytes = page_round_up(length + in_page);
    AddressSpace& space = user_space();
    if (lock) {
        if (!may_lock_at_all())
            return Errno::NotPermitted;
        // What would be locked afterwards: the range, and what is locked outside it.
        VirtAddr end = start + bytes < start ? USER_TOP : start + bytes;
        if (!within_lock_limit(space.locked_bytes() - space.locked_bytes_in(start, end) + bytes))
            return Errno::NoMemory;
    }
    TRY(space.set_lock(start, bytes, lock));
    return 0;
}

}

Result<i64> sys_mlock(UserAddress address, u64 length) { return change_lock(address, length, VM_LOCKED); }

Result<i64> sys_mlock2(UserAddress address, u64 length, int flags)
{
    constexpr int MLOCK_ONFAULT = 1;
    if (flags & ~MLOCK_ONFAULT)
        return Errno::Invalid;
    return change_lock(address, length, VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
}

Result<i64> sys_munlock(UserAddress address, u64 length) { return change_lock(address, length, 0); }

Result<i64> sys_mlockall(int flags)
{
    constexpr int MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;
    if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return Errno::Invalid;
    if (!may_lock_at_all())
        return Errno::NotPermitted;
    // Everything mapped now would be locked (Linux compares its total_vm with the limit).
    if ((flags & MCL_CURRENT) && !within_lock_limit(user_space().mapped_bytes()))
        return Errno::NoMemory;
    u32 lock = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
    user_space().lock_all(lock, flags & MCL_CURRENT, flags & MCL_FUTURE);
    return 0;
}

Result<i64> sys_munlockall()
{
    user_space().unlock_all();
    return 0;
}

// mincore: EINVAL for an unaligned start, ENOMEM when the range leaves user space, EFAULT
// when the vector does; then one byte per page, a piece at a time as Linux does (a page of
// results per step), so that a range that runs into a hole writes what came before it
// and then fails with ENOMEM.
Result<i64> sys_mincore(UserAddress address, u64 length, UserAddress vector)
{
    if (address & (PAGE_SIZE - 1))
        return Errno::Invalid;
    if (address + length < address || address + length > USER_TOP)
        return Errno::NoMemory;
    u64 pages = length / PAGE_SIZE + (length % PAGE_SIZE != 0);
    if (vector + pages < vector || vector + pages > USER_TOP)
        return Errno::BadAddress;
    AddressSpace& space = user_space();
    u8 results[256];
    while (pages > 0) {
        u64 done = TRY(space.residency(address, min<u64>(pages, sizeof results), results));
        TRY(copy_to_user(space, vector, results, done));
        pages -= done;
        vector += done;
        address += done * PAGE_SIZE;
    }
    return 0;
}
