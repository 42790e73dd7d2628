#include "kernel/sched/timer_requests.h"
#include <gtest/gtest.h>

TEST(TimerRequests, EveryTimerStartsSetForNothing)
{
    TimerRequests requests;
    for (u32 cpu = 0; cpu < MAX_CPUS; ++cpu)
        EXPECT_EQ(requests.fires_at(cpu), TimerRequests::NOTHING);
}

TEST(TimerRequests, ARequestOnlyMovesTheTimerEarlier)
{
    TimerRequests requests;
    EXPECT_TRUE(requests.request(0, 5000));
    EXPECT_FALSE(requests.request(0, 9000)); // later: the 5000 one comes first anyway
    EXPECT_FALSE(requests.request(0, 5000));
    EXPECT_EQ(requests.fires_at(0), 5000u);
    EXPECT_TRUE(requests.request(0, 1000));
    EXPECT_EQ(requests.fires_at(0), 1000u);
}

TEST(TimerRequests, NothingAsksForNothing)
{
    TimerRequests requests;
    EXPECT_FALSE(requests.request(1, TimerRequests::NOTHING));
    EXPECT_FALSE(requests.cover(1, 2, TimerRequests::NOTHING));
    EXPECT_EQ(requests.fires_at(1), TimerRequests::NOTHING);
}

TEST(TimerRequests, ADeadlineAnotherCpusTimerFiresByNeedsNoTimer)
{
    TimerRequests requests;
    EXPECT_TRUE(requests.request(1, 3000));
    EXPECT_FALSE(requests.cover(0, 2, 3000)); // CPU 1 fires at it
    EXPECT_FALSE(requests.cover(0, 2, 7000)); // and before it
    EXPECT_EQ(requests.fires_at(0), TimerRequests::NOTHING);
    EXPECT_TRUE(requests.cover(0, 2, 2000)); // earlier than any: this CPU's timer
    EXPECT_EQ(requests.fires_at(0), 2000u);
    EXPECT_EQ(requests.fires_at(1), 3000u);
}

TEST(TimerRequests, OnlyOnlineCpusCover)
{
    TimerRequests requests;
    EXPECT_TRUE(requests.request(3, 1000));
    EXPECT_TRUE(requests.cover(0, 2, 5000)); // CPU 3 is not among the 2 online
    EXPECT_EQ(requests.fires_at(0), 5000u);
}

TEST(TimerRequests, AFiredTimerIsSetForNothingAndCanBeAskedAgain)
{
    TimerRequests requests;
    EXPECT_TRUE(requests.request(0, 1000));
    requests.expired(0);
    EXPECT_EQ(requests.fires_at(0), TimerRequests::NOTHING);
    // Its handler asks again for what is left: a later deadline is now its to cover.
    EXPECT_TRUE(requests.cover(0, 1, 8000));
    EXPECT_EQ(requests.fires_at(0), 8000u);
}
