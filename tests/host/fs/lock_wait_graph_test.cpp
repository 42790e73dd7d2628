// Deadlock detection for F_SETLKW: following "who waits for whom" from a lock's holder.
#include "kernel/fs/lock_wait_graph.h"
#include <gtest/gtest.h>

namespace {

int owners[16];
LockOwner owner(int i) { return LockOwner { &owners[i] }; }
int file_one, file_two;

LockWait wait_for(int waiter, int holder, void const* file = &file_one)
{
    return LockWait { owner(waiter), owner(holder), file, {} };
}

}

TEST(LockWaitGraph, NobodyWaitingIsNoDeadlock)
{
    LockWaitGraph graph;
    EXPECT_FALSE(graph.would_deadlock(owner(0), owner(1)));
}

TEST(LockWaitGraph, TwoOwnersWaitingForEachOther)
{
    LockWaitGraph graph;
    LockWait b_waits_for_a = wait_for(1, 0);
    graph.add(b_waits_for_a);
    EXPECT_TRUE(graph.would_deadlock(owner(0), owner(1))); // A would wait for B, who waits for A
    EXPECT_FALSE(graph.would_deadlock(owner(2), owner(1))); // C may wait for B: B waits for A, not C
    graph.remove(b_waits_for_a);
    EXPECT_FALSE(graph.would_deadlock(owner(0), owner(1)));
    graph.remove(b_waits_for_a); // removing twice is harmless
    EXPECT_TRUE(graph.is_empty());
}

TEST(LockWaitGraph, ALongerCycleIsFoundThroughTheChain)
{
    LockWaitGraph graph;
    LockWait c_for_b = wait_for(2, 1), b_for_a = wait_for(1, 0);
    graph.add(c_for_b);
    graph.add(b_for_a);
    EXPECT_TRUE(graph.would_deadlock(owner(0), owner(2))); // A → C → B → A
    EXPECT_FALSE(graph.would_deadlock(owner(3), owner(2)));
}

TEST(LockWaitGraph, ACycleNotThroughTheRequesterEndsTheWalk)
{
    LockWaitGraph graph;
    LockWait b_for_c = wait_for(1, 2), c_for_b = wait_for(2, 1);
    graph.add(b_for_c);
    graph.add(c_for_b);
    EXPECT_FALSE(graph.would_deadlock(owner(0), owner(1)));
}

TEST(LockWaitGraph, ChainsLongerThanLinuxFollowsAreNotCalledDeadlocks)
{
    // Owner i waits for owner i+1; the last one waits for owner 0, the requester.
    for (int length : { LockWaitGraph::MAX_STEPS + 1, LockWaitGraph::MAX_STEPS + 2 }) {
        LockWaitGraph graph;
        LockWait waits[16];
        for (int i = 1; i <= length; ++i) {
            waits[i] = wait_for(i, i == length ? 0 : i + 1);
            graph.add(waits[i]);
        }
        // From holder 1 the walk needs `length` steps to come back to 0.
        EXPECT_EQ(graph.would_deadlock(owner(0), owner(1)), length <= LockWaitGraph::MAX_STEPS + 1) << length;
        for (int i = 1; i <= length; ++i)
            graph.remove(waits[i]);
    }
}

TEST(LockWaitGraph, WakingAFileDropsOnlyItsWaits)
{
    LockWaitGraph graph;
    LockWait on_one = wait_for(1, 0, &file_one), on_two = wait_for(2, 0, &file_two);
    graph.add(on_one);
    graph.add(on_two);
    graph.remove_waits_on(&file_one);
    EXPECT_FALSE(graph.would_deadlock(owner(0), owner(1)));
    EXPECT_TRUE(graph.would_deadlock(owner(0), owner(2)));
    graph.remove(on_two);
}
