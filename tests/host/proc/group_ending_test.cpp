// The survivor protocol on its own (kernel/proc/group_ending.h), played out over a group of
// stand-in threads: each "returns towards user mode" in turn and ends if it must, as
// handle_pending_signals makes it; the survivor checks after every end whether it is alone.
#include "kernel/proc/group_ending.h"
#include <algorithm>
#include <gtest/gtest.h>
#include <vector>

namespace {

// Stand-ins: the protocol only compares their addresses.
Thread const* fake_thread(int n) { return reinterpret_cast<Thread const*>(static_cast<uintptr_t>(0x1000 * n)); }

struct Group {
    GroupEnding ending;
    std::vector<Thread const*> threads;

    explicit Group(int count)
    {
        for (int i = 1; i <= count; ++i)
            threads.push_back(fake_thread(i));
    }
    GroupEnding::Claim claim(int n) { return ending.claim(*fake_thread(n), threads.size()); }
    bool must_end(int n) const { return ending.must_end(*fake_thread(n)); }
    // Thread n returns towards user mode: it ends there if it must. True if it ended.
    bool return_to_user(int n)
    {
        if (!must_end(n))
            return false;
        threads.erase(std::find(threads.begin(), threads.end(), fake_thread(n)));
        return true;
    }
    bool survivor_finished() { return ending.finished(threads.size()); }
};

}

TEST(GroupEnding, TheSurvivorWaitsUntilEveryOtherThreadEndedItself)
{
    Group group(3);
    EXPECT_EQ(group.claim(1), GroupEnding::Claim::Survivor);
    EXPECT_FALSE(group.must_end(1));
    EXPECT_TRUE(group.must_end(2));
    EXPECT_TRUE(group.must_end(3));
    EXPECT_FALSE(group.survivor_finished()); // woken early: two others are still there
    EXPECT_TRUE(group.return_to_user(2));
    EXPECT_FALSE(group.survivor_finished());
    EXPECT_FALSE(group.return_to_user(1)); // the survivor goes on
    EXPECT_TRUE(group.return_to_user(3));
    EXPECT_TRUE(group.survivor_finished());
    EXPECT_EQ(group.threads.size(), 1u);
}

TEST(GroupEnding, OfTwoThreadsThatStartAtOnceTheFirstWinsAndTheSecondEnds)
{
    Group group(3);
    EXPECT_EQ(group.claim(2), GroupEnding::Claim::Survivor); // exit_group in thread 2
    EXPECT_EQ(group.claim(3), GroupEnding::Claim::Yield); // execve in thread 3, a moment later
    EXPECT_TRUE(group.must_end(3));
    EXPECT_TRUE(group.return_to_user(3));
    EXPECT_TRUE(group.return_to_user(1));
    EXPECT_TRUE(group.survivor_finished());
    EXPECT_EQ(group.threads, (std::vector<Thread const*> { fake_thread(2) }));
}

TEST(GroupEnding, AThreadAloneHasNothingToEndAndClaimsNothing)
{
    Group group(1);
    EXPECT_EQ(group.claim(1), GroupEnding::Claim::Alone);
    EXPECT_FALSE(group.must_end(1));
    EXPECT_FALSE(group.must_end(2)); // a thread made afterwards is free
}

TEST(GroupEnding, AThreadMadeWhileTheGroupEndsMustEndToo)
{
    Group group(2);
    EXPECT_EQ(group.claim(1), GroupEnding::Claim::Survivor);
    group.threads.push_back(fake_thread(3)); // a clone that was already under way
    EXPECT_TRUE(group.return_to_user(2));
    EXPECT_FALSE(group.survivor_finished());
    EXPECT_TRUE(group.return_to_user(3));
    EXPECT_TRUE(group.survivor_finished());
}

TEST(GroupEnding, OnceTheSurvivorIsAloneTheClaimIsOver)
{
    Group group(2);
    EXPECT_EQ(group.claim(1), GroupEnding::Claim::Survivor);
    EXPECT_TRUE(group.return_to_user(2));
    EXPECT_TRUE(group.survivor_finished());
    // The survivor (after execve) makes a new thread, which may end the group in its turn.
    group.threads.push_back(fake_thread(4));
    EXPECT_FALSE(group.must_end(4));
    EXPECT_EQ(group.claim(4), GroupEnding::Claim::Survivor);
    EXPECT_TRUE(group.must_end(1));
}
