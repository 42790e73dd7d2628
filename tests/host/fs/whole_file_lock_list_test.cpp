// flock's whole-file locks: one per owner; shared ones coexist, an exclusive one excludes.
#include "kernel/fs/whole_file_lock_list.h"
#include <gtest/gtest.h>

namespace {
int owner_a_object, owner_b_object;
LockOwner const A { &owner_a_object };
LockOwner const B { &owner_b_object };
}

TEST(WholeFileLockList, SharedLocksCoexistExclusiveOnesDoNot)
{
    WholeFileLockList list;
    ASSERT_FALSE(list.add(A, LockType::Read).is_error());
    EXPECT_EQ(list.find_conflict(B, LockType::Read), nullptr);
    EXPECT_NE(list.find_conflict(B, LockType::Write), nullptr);
    EXPECT_EQ(list.find_conflict(A, LockType::Write), nullptr); // never with oneself
    ASSERT_FALSE(list.add(B, LockType::Read).is_error());
    EXPECT_EQ(list.find_conflict(A, LockType::Write)->owner, B);
}

TEST(WholeFileLockList, AnExclusiveLockBlocksEvenReaders)
{
    WholeFileLockList list;
    ASSERT_FALSE(list.add(A, LockType::Write).is_error());
    EXPECT_NE(list.find_conflict(B, LockType::Read), nullptr);
    EXPECT_EQ(list.find(A)->type, LockType::Write);
    EXPECT_EQ(list.find(B), nullptr);
}

TEST(WholeFileLockList, RemoveDropsTheOwnersLock)
{
    WholeFileLockList list;
    ASSERT_FALSE(list.add(A, LockType::Write).is_error());
    EXPECT_FALSE(list.remove(B));
    EXPECT_TRUE(list.remove(A));
    EXPECT_TRUE(list.is_empty());
    EXPECT_EQ(list.find_conflict(B, LockType::Write), nullptr);
}
