// Record locks on one file: how setting and unlocking ranges splits, trims and merges an
// owner's locks, which locks conflict, and the order F_GETLK finds them in (Linux's).
#include "kernel/fs/record_lock_list.h"
#include <gtest/gtest.h>
#include <string>

namespace {

int owner_a_object, owner_b_object, owner_c_object;
LockOwner const A { &owner_a_object };
LockOwner const B { &owner_b_object };
LockOwner const C { &owner_c_object };
constexpr i64 MAX = LOCK_OFFSET_MAX;

RecordLock request(LockOwner owner, LockType type, i64 start, i64 end)
{
    RecordLock lock;
    lock.owner = owner;
    lock.type = type;
    lock.start = start;
    lock.end = end;
    return lock;
}

char const* name_of(LockOwner owner) { return owner == A ? "A" : owner == B ? "B" : owner == C ? "C" : "?"; }

// The list as "A:r0-39 A:w40-59 B:r100-max", in list order.
std::string describe(RecordLockList const& list)
{
    std::string out;
    list.for_each([&](RecordLock const& lock) {
        if (!out.empty())
            out += ' ';
        out += name_of(lock.owner);
        out += lock.type == LockType::Read ? ":r" : ":w";
        out += std::to_string(lock.start) + "-" + (lock.end == MAX ? std::string("max") : std::to_string(lock.end));
    });
    return out;
}

bool set(RecordLockList& list, LockOwner owner, LockType type, i64 start, i64 end)
{
    auto result = list.set(request(owner, type, start, end));
    EXPECT_FALSE(result.is_error());
    return result.value();
}

}

TEST(RecordLockList, FirstLockIsRecordedAsAsked)
{
    RecordLockList list;
    EXPECT_TRUE(list.is_empty());
    EXPECT_FALSE(set(list, A, LockType::Write, 10, 19));
    EXPECT_EQ(describe(list), "A:w10-19");
}

TEST(RecordLockList, WriteInsideReadSplitsItInThree)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 99);
    EXPECT_TRUE(set(list, A, LockType::Write, 40, 59)); // the read lock gave up bytes
    EXPECT_EQ(describe(list), "A:r0-39 A:w40-59 A:r60-99");
}

TEST(RecordLockList, UnlockTrimsAndRemoves)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 39);
    set(list, A, LockType::Write, 40, 59);
    set(list, A, LockType::Read, 60, 99);
    EXPECT_TRUE(set(list, A, LockType::Unlock, 50, 99));
    EXPECT_EQ(describe(list), "A:r0-39 A:w40-49");
    EXPECT_TRUE(set(list, A, LockType::Unlock, 0, MAX));
    EXPECT_TRUE(list.is_empty());
}

TEST(RecordLockList, UnlockInTheMiddleLeavesTwoPieces)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 99);
    EXPECT_TRUE(set(list, A, LockType::Unlock, 40, 59));
    EXPECT_EQ(describe(list), "A:r0-39 A:r60-99");
}

TEST(RecordLockList, UnlockOfNothingReleasesNothing)
{
    RecordLockList list;
    EXPECT_FALSE(set(list, A, LockType::Unlock, 0, MAX));
    set(list, A, LockType::Write, 0, 9);
    EXPECT_FALSE(set(list, A, LockType::Unlock, 10, 19));
    EXPECT_EQ(describe(list), "A:w0-9");
}

TEST(RecordLockList, TouchingAndOverlappingLocksOfOneTypeMerge)
{
    RecordLockList list;
    set(list, A, LockType::Write, 0, 9);
    EXPECT_FALSE(set(list, A, LockType::Write, 10, 19)); // touching: merging gives up nothing
    EXPECT_EQ(describe(list), "A:w0-19");
    set(list, A, LockType::Write, 15, 30);
    EXPECT_EQ(describe(list), "A:w0-30");
    set(list, A, LockType::Write, 40, 49);
    set(list, A, LockType::Write, 31, 39); // bridges the two
    EXPECT_EQ(describe(list), "A:w0-49");
}

TEST(RecordLockList, TouchingLocksOfDifferentTypesStayApart)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 9);
    EXPECT_FALSE(set(list, A, LockType::Write, 10, 19));
    EXPECT_EQ(describe(list), "A:r0-9 A:w10-19");
}

TEST(RecordLockList, UpgradeAndDowngradeReplaceTheType)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 9);
    EXPECT_TRUE(set(list, A, LockType::Write, 0, 9));
    EXPECT_EQ(describe(list), "A:w0-9");
    EXPECT_TRUE(set(list, A, LockType::Read, 0, 9));
    EXPECT_EQ(describe(list), "A:r0-9");
}

TEST(RecordLockList, NewTypeOverSeveralLocksReplacesThemAll)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 9);
    set(list, A, LockType::Read, 20, 29);
    set(list, A, LockType::Read, 40, 49);
    EXPECT_TRUE(set(list, A, LockType::Write, 5, 44));
    EXPECT_EQ(describe(list), "A:r0-4 A:w5-44 A:r45-49");
}

TEST(RecordLockList, RangesToTheEndOfTheFileNeverOverflow)
{
    RecordLockList list;
    set(list, A, LockType::Write, 10, MAX);
    set(list, A, LockType::Write, 0, 9);
    EXPECT_EQ(describe(list), "A:w0-max");
    set(list, A, LockType::Read, MAX, MAX);
    EXPECT_EQ(describe(list), "A:w0-" + std::to_string(MAX - 1) + " A:r" + std::to_string(MAX) + "-max");
    set(list, A, LockType::Unlock, 5, MAX);
    EXPECT_EQ(describe(list), "A:w0-4");
}

TEST(RecordLockList, ConflictsNeedAnotherOwnerAnOverlapAndAWriter)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 9);
    set(list, A, LockType::Write, 20, 29);
    EXPECT_EQ(list.find_conflict(request(B, LockType::Read, 0, 9)), nullptr); // readers share
    EXPECT_NE(list.find_conflict(request(B, LockType::Write, 9, 9)), nullptr);
    EXPECT_EQ(list.find_conflict(request(B, LockType::Write, 10, 19)), nullptr); // the gap
    RecordLock const* found = list.find_conflict(request(B, LockType::Read, 25, 100));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->start, 20);
    EXPECT_EQ(found->type, LockType::Write);
    EXPECT_EQ(list.find_conflict(request(A, LockType::Write, 0, MAX)), nullptr); // one's own locks never
    EXPECT_EQ(list.find_conflict(request(B, LockType::Unlock, 0, MAX)), nullptr);
}

TEST(RecordLockList, OwnersStayGroupedInTheOrderTheyFirstLocked)
{
    RecordLockList list;
    set(list, A, LockType::Read, 50, 59);
    set(list, B, LockType::Read, 0, 9);
    set(list, A, LockType::Read, 0, 9);
    EXPECT_EQ(describe(list), "A:r0-9 A:r50-59 B:r0-9");
    // Replacing all of A's locks keeps A's place in the list...
    set(list, A, LockType::Write, 0, 59);
    EXPECT_EQ(describe(list), "A:w0-59 B:r0-9");
    EXPECT_EQ(list.find_conflict(request(C, LockType::Write, 0, 0))->owner, A);
    // ...but an owner that held nothing comes after the others.
    set(list, A, LockType::Unlock, 0, MAX);
    set(list, A, LockType::Read, 0, 9);
    EXPECT_EQ(describe(list), "B:r0-9 A:r0-9");
    EXPECT_EQ(list.find_conflict(request(C, LockType::Write, 0, 0))->owner, B);
}

TEST(RecordLockList, FindOwnReportsTheOwnersFirstLockInTheRange)
{
    RecordLockList list;
    set(list, B, LockType::Write, 0, MAX);
    EXPECT_EQ(list.find_own(request(A, LockType::Unlock, 0, MAX)), nullptr);
    set(list, A, LockType::Read, 30, 39);
    set(list, A, LockType::Write, 60, 69);
    RecordLock const* own = list.find_own(request(A, LockType::Unlock, 35, 65));
    ASSERT_NE(own, nullptr);
    EXPECT_EQ(own->start, 30);
    EXPECT_EQ(list.find_own(request(A, LockType::Unlock, 40, 59)), nullptr);
}

TEST(RecordLockList, RemoveOwnerDropsOnlyThatOwnersLocks)
{
    RecordLockList list;
    set(list, A, LockType::Read, 0, 9);
    set(list, B, LockType::Read, 0, 9);
    set(list, A, LockType::Write, 20, 29);
    EXPECT_TRUE(list.remove_owner(A));
    EXPECT_EQ(describe(list), "B:r0-9");
    EXPECT_FALSE(list.remove_owner(A));
    EXPECT_TRUE(list.remove_owner(B));
    EXPECT_TRUE(list.is_empty());
}

TEST(RecordLockList, SetKeepsKindAndPidOfTheRequest)
{
    RecordLockList list;
    RecordLock lock = request(A, LockType::Write, 0, 9);
    lock.kind = RecordLockKind::OpenFile;
    lock.pid = 77;
    ASSERT_FALSE(list.set(lock).is_error());
    RecordLock const* found = list.find_conflict(request(B, LockType::Read, 0, 0));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->kind, RecordLockKind::OpenFile);
    EXPECT_EQ(found->pid, 77u);
}
