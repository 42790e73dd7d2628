// Leases on one file: which leases may coexist, how an opener breaks them (downgrade for a
// reader, unlock for a writer), what F_GETLEASE reports meanwhile, and the break time.
#include "kernel/fs/lease_list.h"
#include <gtest/gtest.h>
#include <vector>

namespace {

int owner_a_object, owner_b_object;
LockOwner const A { &owner_a_object };
LockOwner const B { &owner_b_object };

Lease* add(LeaseList& list, LockOwner owner, LockType type)
{
    Lease wanted;
    wanted.owner = owner;
    wanted.type = type;
    auto added = list.add(wanted);
    EXPECT_FALSE(added.is_error());
    return added.value();
}

// Starts breaking for an opener; returns how many leases were newly told.
int start(LeaseList& list, bool for_writing, u64 deadline)
{
    int told = 0;
    list.start_breaking(for_writing, deadline, [&](Lease&) { ++told; });
    return told;
}

}

TEST(LeaseList, ReadLeasesShareWriteLeasesDoNot)
{
    LeaseList list;
    EXPECT_TRUE(list.others_allow(A, LockType::Write));
    add(list, A, LockType::Read);
    EXPECT_TRUE(list.others_allow(B, LockType::Read));
    EXPECT_FALSE(list.others_allow(B, LockType::Write));
    EXPECT_TRUE(list.others_allow(A, LockType::Write)); // its own lease is not in the way
}

TEST(LeaseList, AReaderBreaksOnlyWriteLeasesByDowngrading)
{
    LeaseList list;
    Lease* lease = add(list, A, LockType::Read);
    EXPECT_FALSE(list.blocks_opener(false));
    EXPECT_TRUE(list.blocks_opener(true));
    list.change(*lease, LockType::Write);
    EXPECT_TRUE(list.blocks_opener(false));
    EXPECT_EQ(start(list, false, 1000), 1);
    EXPECT_EQ(lease->pending, LeaseBreak::Downgrade);
    EXPECT_EQ(lease->reported_type(), LockType::Read);
    EXPECT_EQ(start(list, false, 2000), 0); // already breaking: told once
    list.change(*lease, LockType::Read);
    EXPECT_EQ(lease->pending, LeaseBreak::None);
    EXPECT_FALSE(list.blocks_opener(false));
}

TEST(LeaseList, AWriterBreaksEveryLeaseByUnlocking)
{
    LeaseList list;
    Lease* a = add(list, A, LockType::Read);
    Lease* b = add(list, B, LockType::Read);
    EXPECT_EQ(start(list, true, 1000), 2);
    EXPECT_EQ(a->reported_type(), LockType::Unlock);
    EXPECT_EQ(b->pending, LeaseBreak::Unlock);
    // A lease being unlocked keeps new leases out, and a downgrade does not satisfy a writer.
    EXPECT_FALSE(list.others_allow(B, LockType::Read));
    list.change(*a, LockType::Read);
    EXPECT_TRUE(list.blocks_opener(true));
    list.remove(*a);
    list.remove(*b);
    EXPECT_FALSE(list.blocks_opener(true));
    EXPECT_TRUE(list.is_empty());
}

TEST(LeaseList, AWriterAfterAReaderTurnsADowngradeIntoAnUnlock)
{
    LeaseList list;
    Lease* lease = add(list, A, LockType::Write);
    EXPECT_EQ(start(list, false, 1000), 1);
    EXPECT_EQ(start(list, true, 5000), 1);
    EXPECT_EQ(lease->pending, LeaseBreak::Unlock);
    EXPECT_EQ(lease->break_deadline_ns, 5000u);
}

TEST(LeaseList, TheKernelCarriesOutBreaksWhoseTimeIsUp)
{
    LeaseList list;
    Lease* downgrading = add(list, A, LockType::Write);
    start(list, false, 1000);
    add(list, B, LockType::Read); // not in a reader's way: no deadline
    EXPECT_EQ(list.next_deadline(), 1000u);
    EXPECT_FALSE(list.time_out(999));
    EXPECT_TRUE(list.time_out(1000));
    EXPECT_EQ(downgrading->type, LockType::Read);
    EXPECT_EQ(downgrading->pending, LeaseBreak::None);
    EXPECT_EQ(list.next_deadline(), 0u);
    start(list, true, 3000);
    EXPECT_TRUE(list.time_out(3000));
    EXPECT_TRUE(list.is_empty());
}

TEST(LeaseList, FindAndRemoveWorkByOwner)
{
    LeaseList list;
    add(list, A, LockType::Read);
    EXPECT_EQ(list.find(B), nullptr);
    ASSERT_NE(list.find(A), nullptr);
    list.remove(*list.find(A));
    EXPECT_EQ(list.find(A), nullptr);
}
