// The set*id rules of kernel/lib/credentials.h, each case as Linux's kernel/sys.c decides it.
#include "kernel/lib/credentials.h"
#include <gtest/gtest.h>

namespace {

constexpr u32 KEEP = Credentials::UNCHANGED;

Credentials user(u32 real, u32 effective, u32 saved)
{
    Credentials c;
    c.uid = real;
    c.euid = c.fsuid = effective;
    c.suid = saved;
    return c;
}

void expect_uids(Credentials const& c, u32 real, u32 effective, u32 saved, u32 fs)
{
    EXPECT_EQ(c.uid, real);
    EXPECT_EQ(c.euid, effective);
    EXPECT_EQ(c.suid, saved);
    EXPECT_EQ(c.fsuid, fs);
}

}

TEST(Credentials, RootSetuidSetsAllFour)
{
    Credentials c;
    ASSERT_FALSE(c.set_uid(1000).is_error());
    expect_uids(c, 1000, 1000, 1000, 1000);
    EXPECT_FALSE(c.is_privileged());
    EXPECT_EQ(c.set_uid(0).error(), Errno::NotPermitted); // no way back
}

TEST(Credentials, SetuidMinusOneIsInvalid)
{
    Credentials c;
    EXPECT_EQ(c.set_uid(KEEP).error(), Errno::Invalid);
    expect_uids(c, 0, 0, 0, 0);
}

TEST(Credentials, UnprivilegedSetuidMovesOnlyTheEffectiveId)
{
    Credentials c = user(1000, 1001, 1002);
    EXPECT_EQ(c.set_uid(1001).error(), Errno::NotPermitted); // the effective id is not enough
    ASSERT_FALSE(c.set_uid(1002).is_error());
    expect_uids(c, 1000, 1002, 1002, 1002);
    ASSERT_FALSE(c.set_uid(1000).is_error());
    expect_uids(c, 1000, 1000, 1002, 1000);
}

TEST(Credentials, SetreuidSavedIdFollowsANewEffectiveId)
{
    Credentials c = user(1000, 1001, 1002);
    EXPECT_EQ(c.set_reuid(1002, KEEP).error(), Errno::NotPermitted);
    ASSERT_FALSE(c.set_reuid(KEEP, 1002).is_error());
    expect_uids(c, 1000, 1002, 1002, 1002);
    ASSERT_FALSE(c.set_reuid(KEEP, 1000).is_error()); // back to the real id: saved stays
    expect_uids(c, 1000, 1000, 1002, 1000);
    ASSERT_FALSE(c.set_reuid(1000, KEEP).is_error()); // the real id given: saved = effective
    expect_uids(c, 1000, 1000, 1000, 1000);
}

TEST(Credentials, SetresuidPicksAmongOwnIds)
{
    Credentials c = user(1000, 1001, 1002);
    EXPECT_EQ(c.set_resuid(KEEP, 7, KEEP).error(), Errno::NotPermitted);
    expect_uids(c, 1000, 1001, 1002, 1001);
    ASSERT_FALSE(c.set_resuid(1002, 1000, 1001).is_error());
    expect_uids(c, 1002, 1000, 1001, 1000);
}

TEST(Credentials, PartialRootKeepsThePrivilegeToReturn)
{
    Credentials c;
    ASSERT_FALSE(c.set_resuid(KEEP, 1000, KEEP).is_error()); // seteuid(1000)
    EXPECT_FALSE(c.is_privileged());
    EXPECT_FALSE(c.is_fs_privileged());
    ASSERT_FALSE(c.set_resuid(KEEP, 0, KEEP).is_error()); // the real id is 0
    EXPECT_TRUE(c.is_privileged());
}

TEST(Credentials, SetfsuidReturnsTheOldIdAndMovesOnlyToOwnIds)
{
    Credentials c = user(1000, 1001, 1002);
    EXPECT_EQ(c.set_fsuid(7), 1001u);
    EXPECT_EQ(c.fsuid, 1001u);
    EXPECT_EQ(c.set_fsuid(1002), 1001u);
    EXPECT_EQ(c.fsuid, 1002u);
    EXPECT_EQ(c.set_fsuid(KEEP), 1002u);
    EXPECT_EQ(c.fsuid, 1002u);
}

TEST(Credentials, AccessCheckUsesTheRealIds)
{
    Credentials c = user(1000, 0, 0);
    c.gid = 50;
    Credentials checked = c.for_access_check();
    EXPECT_EQ(checked.fsuid, 1000u);
    EXPECT_EQ(checked.fsgid, 50u);
    EXPECT_FALSE(checked.is_fs_privileged());
}

TEST(Credentials, ExecOfASetUserIdProgram)
{
    Credentials c = user(1000, 1000, 1000);
    c.start_program(true, 0, false, 99);
    expect_uids(c, 1000, 0, 0, 0);
    EXPECT_EQ(c.egid, 0u); // no set-group-ID: the group stays
}

TEST(Credentials, PrlimitNeedsAllThreeIdsToBeTheCallersRealOne)
{
    Credentials caller = user(1000, 1000, 1000);
    caller.gid = caller.egid = caller.sgid = 1000;
    Credentials same = caller;
    EXPECT_TRUE(caller.may_use_limits_of(same));
    Credentials saved_root = same;
    saved_root.suid = 0; // kill may signal it (same real uid); prlimit may not touch it
    EXPECT_FALSE(caller.may_use_limits_of(saved_root));
    EXPECT_TRUE(caller.may_signal(saved_root));
    Credentials other_group = same;
    other_group.egid = 2000;
    EXPECT_FALSE(caller.may_use_limits_of(other_group));
    Credentials root;
    EXPECT_FALSE(caller.may_use_limits_of(root));
    EXPECT_TRUE(root.may_use_limits_of(caller));
}

TEST(GroupList, SortedWithDuplicatesAndSearchable)
{
    u32 given[] = { 30, 10, 20, 10 };
    auto list = GroupList::create(given, 4);
    ASSERT_FALSE(list.is_error());
    RefPtr<GroupList> groups = list.release_value();
    ASSERT_EQ(groups->count(), 4u);
    EXPECT_EQ(groups->gids()[0], 10u);
    EXPECT_EQ(groups->gids()[1], 10u);
    EXPECT_EQ(groups->gids()[3], 30u);
    EXPECT_TRUE(groups->contains(20));
    EXPECT_FALSE(groups->contains(25));
    Credentials c;
    c.fsgid = 5;
    c.groups = groups;
    EXPECT_TRUE(c.in_group(5));
    EXPECT_TRUE(c.in_group(30));
    EXPECT_FALSE(c.in_group(31));
    EXPECT_EQ(GroupList::create(given, GroupList::MAX + 1).error(), Errno::Invalid);
}
