// The orphaned-group rule on its own: a group stays linked while one member, not leaving, has
// a parent other than init in another group of the same session.
#include "kernel/proc/orphaned_group.h"
#include <gtest/gtest.h>
#include <vector>

namespace {

constexpr u32 SESSION = 7, SHELL_GROUP = 7, JOB = 9;

constexpr u32 INIT_SESSION = 0;

GroupMemberView child_of_shell() { return { SESSION, false, true, SHELL_GROUP, SESSION }; }
GroupMemberView child_in_job() { return { SESSION, false, true, JOB, SESSION }; }
GroupMemberView adopted_by_init() { return { SESSION, false, true, 0, INIT_SESSION }; }

bool orphaned(std::vector<GroupMemberView> const& members)
{
    return group_is_orphaned(JOB, [&](FunctionRef<void(GroupMemberView const&)> visit) {
        for (auto const& member : members)
            visit(member);
    });
}

}

TEST(OrphanedGroupTest, AJobWhoseLeaderIsTheShellsChildIsNotOrphaned)
{
    EXPECT_FALSE(orphaned({ child_of_shell(), child_in_job() }));
}

TEST(OrphanedGroupTest, TheLastLinkLeavingOrphansTheGroup)
{
    GroupMemberView leader = child_of_shell();
    leader.leaving = true; // it exits: its child goes to init
    EXPECT_TRUE(orphaned({ leader, adopted_by_init() }));
    EXPECT_TRUE(orphaned({ adopted_by_init() }));
}

TEST(OrphanedGroupTest, AParentInAnotherSessionDoesNotLink)
{
    GroupMemberView foreign = child_of_shell();
    foreign.parent_session = 3; // e.g. the group's session was made by setsid
    EXPECT_TRUE(orphaned({ foreign }));
    EXPECT_TRUE(orphaned({ adopted_by_init(), child_in_job() }));
    GroupMemberView parentless = child_of_shell();
    parentless.has_parent = false;
    EXPECT_TRUE(orphaned({ parentless }));
}

TEST(OrphanedGroupTest, InitLinksItsOwnSessionsJobsAsAnyShellDoes)
{
    // pid 1 may be the shell (tools/pagoda-run sh): its jobs are not orphaned (POSIX's rule;
    // Linux would say they are).
    GroupMemberView job_of_init_shell = { INIT_SESSION, false, true, 0, INIT_SESSION };
    EXPECT_FALSE(orphaned({ job_of_init_shell }));
}

TEST(OrphanedGroupTest, AnyOneLinkIsEnough)
{
    EXPECT_FALSE(orphaned({ adopted_by_init(), child_in_job(), child_of_shell() }));
    EXPECT_TRUE(orphaned({})); // an empty group: nobody to signal either
}
