// PendingSignals on its own: standard signals collapse (the first sender kept), real-time
// ones queue in order with their senders, and discard drops every instance.
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

TEST(PendingSignalsTest, DiscardDropsEveryInstanceAndTheQueueIsBounded)
{
    PendingSignals pending;
    for (u32 i = 0; i < PendingSignals::QUEUE_LIMIT; ++i)
        MUST(pending.add(RT, from(1)));
    EXPECT_TRUE(pending.add(RT, from(1)).is_error()); // EAGAIN, as Linux past RLIMIT_SIGPENDING
    MUST(pending.add(USR1, from(2)));
    pending.discard(1ull << (RT - 1));
    EXPECT_EQ(pending.bits(), 1ull << (USR1 - 1));
    MUST(pending.add(RT, from(3))); // room again
    EXPECT_EQ(pending.take(RT).pid, 3u);
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
