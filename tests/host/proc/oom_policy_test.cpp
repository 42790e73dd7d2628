// The out-of-memory policy (kernel/proc/oom_policy.h), rule by rule.
#include "kernel/proc/oom_policy.h"
#include <gtest/gtest.h>
#include <vector>

namespace {

using State = OomCandidate::State;
using Action = OomDecision::Action;

OomDecision decide(std::vector<OomCandidate> const& candidates, u32 faulter)
{
    return decide_oom(candidates.data(), candidates.size(), faulter);
}

}

TEST(OomPolicy, KillsTheLargestOtherProcessAndTheFaulterRetries)
{
    OomDecision d = decide({ { 1, 900 }, { 2, 100 }, { 3, 5000 }, { 4, 300 } }, 2);
    EXPECT_EQ(d.action, Action::KillVictim);
    EXPECT_EQ(d.victim, 3u);
}

TEST(OomPolicy, KillsTheFaulterWhenItIsTheLargest)
{
    OomDecision d = decide({ { 1, 900 }, { 2, 100 }, { 5, 7000 } }, 5);
    EXPECT_EQ(d.action, Action::KillFaulter);
    EXPECT_EQ(d.victim, 5u);
}

TEST(OomPolicy, NeverPicksInitWhileAnotherProcessLives)
{
    // Init holds the most, and faults: the small other process goes, init retries.
    OomDecision d = decide({ { 1, 90000 }, { 7, 10 } }, 1);
    EXPECT_EQ(d.action, Action::KillVictim);
    EXPECT_EQ(d.victim, 7u);
    // The other process faults: it is the only candidate, so it dies itself.
    d = decide({ { 1, 90000 }, { 7, 10 } }, 7);
    EXPECT_EQ(d.action, Action::KillFaulter);
    EXPECT_EQ(d.victim, 7u);
}

TEST(OomPolicy, InitAloneIsKilled)
{
    OomDecision d = decide({ { 1, 90000 } }, 1);
    EXPECT_EQ(d.action, Action::KillFaulter);
    EXPECT_EQ(d.victim, 1u);
}

TEST(OomPolicy, WaitsForAVictimThatIsStillDying)
{
    OomDecision d = decide({ { 1, 10 }, { 2, 50 }, { 3, 8000, State::Dying } }, 2);
    EXPECT_EQ(d.action, Action::Wait);
    EXPECT_EQ(d.victim, 3u);
}

TEST(OomPolicy, PassesOverAStuckVictim)
{
    OomDecision d = decide({ { 1, 10 }, { 2, 50 }, { 3, 8000, State::Stuck }, { 4, 60 } }, 2);
    EXPECT_EQ(d.action, Action::KillVictim);
    EXPECT_EQ(d.victim, 4u);
    // Only stuck ones besides the faulter: the faulter goes.
    d = decide({ { 1, 10 }, { 2, 50 }, { 3, 8000, State::Stuck } }, 2);
    EXPECT_EQ(d.action, Action::KillFaulter);
    // Init with only stuck processes left: init goes.
    d = decide({ { 1, 10 }, { 3, 8000, State::Stuck } }, 1);
    EXPECT_EQ(d.action, Action::KillFaulter);
    EXPECT_EQ(d.victim, 1u);
}

TEST(OomPolicy, AFaulterAlreadyKilledJustDies)
{
    OomDecision d = decide({ { 1, 10 }, { 2, 50, State::Dying }, { 3, 8000 } }, 2);
    EXPECT_EQ(d.action, Action::KillFaulter);
    EXPECT_EQ(d.victim, 2u);
}

TEST(OomPolicy, TiesGoToTheYoungerProcess)
{
    OomDecision d = decide({ { 1, 10 }, { 4, 500 }, { 9, 500 }, { 6, 500 } }, 1);
    EXPECT_EQ(d.action, Action::KillVictim);
    EXPECT_EQ(d.victim, 9u);
}
