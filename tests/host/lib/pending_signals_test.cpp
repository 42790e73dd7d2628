// PendingSignals on its own: standard signals collapse (the first sender kept), real-time
// ones queue in order with their senders, discard drops every instance, and what happens
// without room under RLIMIT_SIGPENDING.
#include "kernel/lib/pending_signals.h"
#include <gtest/gtest.h>

namespace {
constexpr int USR1 = 10, RT = 34;
SignalSender from(u32 pid, u64 value = 0) { return { -1, pid, value }; }
}

TEST(PendingSignalsTest, AStandardSignalIsPendingOnceAndKeepsItsFirstSender)
{
    PendingSignals pending;
    MUST(pending.add(USR1, from(7)));
    MUST(pending.add(USR1, from(8)));
    EXPECT_EQ(pending.bits(), 1ull << (USR1 - 1));
    EXPECT_EQ(pending.take(USR1).pid, 7u);
    EXPECT_FALSE(pending.has(USR1));
}

TEST(PendingSignalsTest, RealTimeSignalsQueueInOrderWithTheirValues)
{
    PendingSignals pending;
    for (u64 v = 1; v <= 3; ++v)
        MUST(pending.add(RT, from(1, v * 10)));
    for (u64 v = 1; v <= 3; ++v) {
        EXPECT_TRUE(pending.has(RT));
        EXPECT_EQ(pending.take(RT).status_or_value, v * 10);
    }
    EXPECT_FALSE(pending.has(RT));
}

TEST(PendingSignalsTest, DiscardDropsEveryInstanceAndItsEntries)
{
    PendingSignals pending;
    for (u32 i = 0; i < 5; ++i)
        MUST(pending.add(RT, from(1)));
    MUST(pending.add(USR1, from(2)));
    MUST(pending.add(USR1, from(2))); // already pending: no second entry
    EXPECT_EQ(pending.entries(), 6u);
    pending.discard(1ull << (RT - 1));
    EXPECT_EQ(pending.bits(), 1ull << (USR1 - 1));
    EXPECT_EQ(pending.entries(), 1u);
    (void)pending.take(USR1);
    EXPECT_EQ(pending.entries(), 0u);
}

TEST(PendingSignalsTest, WithoutRoomARealTimeSignalIsRefusedUnlessFromKill)
{
    constexpr int KILL_CODE = 0, SIGQUEUE_CODE = -1, TKILL_CODE = -6;
    PendingSignals pending;
    EXPECT_EQ(pending.add(RT, { SIGQUEUE_CODE, 1, 5 }, QueueRoom::Exhausted).error(), Errno::TryAgain);
    EXPECT_EQ(pending.add(RT, { TKILL_CODE, 1, 5 }, QueueRoom::Exhausted).error(), Errno::TryAgain);
    EXPECT_FALSE(pending.has(RT));
    // kill() may not fail: the signal is pending without an entry, its sender lost.
    MUST(pending.add(RT, { KILL_CODE, 7, 0, 1000 }, QueueRoom::Exhausted));
    EXPECT_TRUE(pending.has(RT));
    EXPECT_EQ(pending.entries(), 0u);
    SignalSender taken = pending.take(RT);
    EXPECT_EQ(taken.code, KILL_CODE);
    EXPECT_EQ(taken.pid, 0u);
    EXPECT_FALSE(pending.has(RT));
}

TEST(PendingSignalsTest, WithoutRoomAStandardSignalIsPendingAndKeepsAKernelSender)
{
    constexpr int TKILL_CODE = -6, CLD_EXITED = 1;
    constexpr int CHLD = 17;
    PendingSignals pending;
    MUST(pending.add(USR1, { TKILL_CODE, 7 }, QueueRoom::Exhausted));
    EXPECT_TRUE(pending.has(USR1));
    EXPECT_EQ(pending.entries(), 0u); // no entry: its sender is lost
    EXPECT_EQ(pending.take(USR1).pid, 0u);
    MUST(pending.add(CHLD, { CLD_EXITED, 9 }, QueueRoom::Exhausted)); // the kernel's: may pass the limit
    EXPECT_EQ(pending.entries(), 1u);
    EXPECT_EQ(pending.take(CHLD).pid, 9u);
}

TEST(PendingSignalsTest, HasFromNamesTheSenderOfAPendingInstance)
{
    PendingSignals pending;
    MUST(pending.add(USR1, from(7)));
    EXPECT_TRUE(pending.has_from(USR1, -1, 7));
    EXPECT_FALSE(pending.has_from(USR1, -1, 8));
    EXPECT_FALSE(pending.has_from(USR1, 0, 7));
    MUST(pending.add(RT, from(3)));
    MUST(pending.add(RT, from(4)));
    EXPECT_TRUE(pending.has_from(RT, -1, 4));
    (void)pending.take(RT);
    EXPECT_FALSE(pending.has_from(RT, -1, 3));
    EXPECT_TRUE(pending.has_from(RT, -1, 4));
}
