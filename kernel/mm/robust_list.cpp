#include "robust_list.h"
#include "user_memory.h"

namespace {

void release_one(AddressSpace& space, VirtAddr word_address, u32 tid, FunctionRef<void(VirtAddr)> wake_one)
{
    u32 word;
    if (copy_from_user(space, &word, word_address, sizeof word).is_error() || (word & FUTEX_TID_MASK) != tid)
        return;
    u32 died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (copy_to_user(space, word_address, &died, sizeof died).is_error())
        return;
    if (word & FUTEX_WAITERS)
        wake_one(word_address);
}

}

void release_robust_locks(AddressSpace& space, VirtAddr head_address, u32 tid, FunctionRef<void(VirtAddr)> wake_one)
{
    RobustListHead head;
    if (!head_address || copy_from_user(space, &head, head_address, sizeof head).is_error())
        return;
    VirtAddr entry = head.next & ~u64(1); // bit 0 marks a PI lock; its word is found the same way
    for (u32 i = 0; entry != head_address && i < ROBUST_LIST_LIMIT; ++i) {
        u64 next;
        if (copy_from_user(space, &next, entry, sizeof next).is_error())
            return;
        if (entry != head.list_op_pending)
            release_one(space, entry + head.futex_offset, tid, wake_one);
        entry = next & ~u64(1);
    }
    if (head.list_op_pending)
        release_one(space, (head.list_op_pending & ~u64(1)) + head.futex_offset, tid, wake_one);
}
