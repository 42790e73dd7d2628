// The robust-futex list walk of a dying thread (kernel/mm/robust_list.h), over a real
// address space: the list as glibc lays it out in user memory.
#include "kernel/mm/robust_list.h"
#include "kernel/mm/user_memory.h"
#include "mm_test_helpers.h"
#include <vector>

namespace {

constexpr u32 TID = 1234;

// A head at `base` and locks at base + 64 * (i + 1): each lock's list link at its start and
// its word 16 bytes further (futex_offset 16), linked in order and back to the head.
struct Layout {
    AddressSpace& space;
    VirtAddr base;
    VirtAddr entry(usize i) const { return base + 64 * (i + 1); }
    VirtAddr word(usize i) const { return entry(i) + 16; }
    void put64(VirtAddr at, u64 value) { ASSERT_FALSE(copy_to_user(space, at, &value, sizeof value).is_error()); }
    void put32(VirtAddr at, u32 value) { ASSERT_FALSE(copy_to_user(space, at, &value, sizeof value).is_error()); }
    u32 get32(VirtAddr at)
    {
        u32 value = 0;
        EXPECT_FALSE(copy_from_user(space, &value, at, sizeof value).is_error());
        return value;
    }
    void link(std::vector<u32> const& owners, u64 pending = 0)
    {
        RobustListHead head { owners.empty() ? base : entry(0), 16, pending };
        ASSERT_FALSE(copy_to_user(space, base, &head, sizeof head).is_error());
        for (usize i = 0; i < owners.size(); ++i) {
            put64(entry(i), i + 1 < owners.size() ? entry(i + 1) : base);
            put32(word(i), owners[i]);
        }
    }
};

std::vector<VirtAddr> release(AddressSpace& space, VirtAddr head)
{
    std::vector<VirtAddr> woken;
    release_robust_locks(space, head, TID, [&](VirtAddr word) { woken.push_back(word); });
    return woken;
}

}

TEST(RobustList, OwnedLocksAreMarkedAndOneWaiterWokenEach)
{
    MmEnvironment env;
    auto space = env.new_space();
    Layout l { *space, map_private(*space, 1) };
    // Held by us with waiters, held by us without, held by another thread.
    l.link({ TID | FUTEX_WAITERS, TID, 999 });
    auto woken = release(*space, l.base);
    EXPECT_EQ(l.get32(l.word(0)), FUTEX_OWNER_DIED | FUTEX_WAITERS);
    EXPECT_EQ(l.get32(l.word(1)), FUTEX_OWNER_DIED);
    EXPECT_EQ(l.get32(l.word(2)), 999u); // not ours: untouched
    EXPECT_EQ(woken, std::vector<VirtAddr> { l.word(0) }); // only where someone waits
}

TEST(RobustList, PendingEntryIsReleasedOnceEvenOffTheList)
{
    MmEnvironment env;
    auto space = env.new_space();
    Layout l { *space, map_private(*space, 1) };
    // Entry 0 is on the list and pending (being removed): released once, not twice.
    l.link({ TID | FUTEX_WAITERS }, l.entry(0));
    EXPECT_EQ(release(*space, l.base).size(), 1u);
    // An entry being added, not yet linked: the pending pointer alone reaches it.
    Layout m { *space, l.base + 2048 };
    m.link({});
    m.put32(m.word(5), TID);
    RobustListHead head { m.base, 16, m.entry(5) | 1 }; // bit 0: a PI lock, found the same way
    ASSERT_FALSE(copy_to_user(*space, m.base, &head, sizeof head).is_error());
    release(*space, m.base);
    EXPECT_EQ(m.get32(m.word(5)), FUTEX_OWNER_DIED);
}

TEST(RobustList, HostileListsEndTheWalk)
{
    MmEnvironment env;
    auto space = env.new_space();
    Layout l { *space, map_private(*space, 1) };
    // A cycle that never returns to the head: the walk stops after the limit.
    l.link({ TID, TID });
    l.put64(l.entry(1), l.entry(0));
    EXPECT_TRUE(release(*space, l.base).empty());
    EXPECT_EQ(l.get32(l.word(0)), FUTEX_OWNER_DIED);
    // A link into unmapped memory: the walk ends there, what came before is released.
    l.link({ TID, TID });
    l.put64(l.entry(0), 0x10);
    release(*space, l.base);
    EXPECT_EQ(l.get32(l.word(0)), FUTEX_OWNER_DIED);
    EXPECT_EQ(l.get32(l.word(1)), TID);
    // No list at all, or a head that cannot be read.
    EXPECT_TRUE(release(*space, 0).empty());
    EXPECT_TRUE(release(*space, 0x20).empty());
}
