// What the kernel makes of a PI futex word (kernel/proc/futex_pi.h): taking a free lock,
// marking a held one waited for, refusing a lock the caller holds, taking over from an
// owner that ended, and what an unlock leaves.
#include "kernel/proc/futex_pi.h"
#include <gtest/gtest.h>

namespace {
constexpr u32 ME = 7, OWNER = 9;
}

TEST(FutexPi, AFreeLockIsTakenKeepingOwnerDied)
{
    PiLockStep step = pi_lock_step(0, ME, false, 0);
    EXPECT_EQ(step.action, PiLockAction::Take);
    EXPECT_EQ(step.word, ME);
    step = pi_lock_step(FUTEX_OWNER_DIED | FUTEX_WAITERS, ME, false, 0);
    EXPECT_EQ(step.action, PiLockAction::Take);
    EXPECT_EQ(step.word, ME | FUTEX_OWNER_DIED); // EOWNERDEAD for the C library
    EXPECT_EQ(pi_lock_step(FUTEX_OWNER_DIED, ME, true, 0).word, ME | FUTEX_OWNER_DIED | FUTEX_WAITERS);
}

TEST(FutexPi, AHeldLockIsMarkedWaitedFor)
{
    PiLockStep step = pi_lock_step(OWNER, ME, false, 0);
    EXPECT_EQ(step.action, PiLockAction::Wait);
    EXPECT_EQ(step.word, OWNER | FUTEX_WAITERS);
    EXPECT_EQ(pi_lock_step(OWNER | FUTEX_WAITERS, ME, true, 0).word, OWNER | FUTEX_WAITERS);
}

TEST(FutexPi, RelockingIsADeadlock)
{
    EXPECT_EQ(pi_lock_step(ME, ME, false, 0).action, PiLockAction::Deadlock);
    EXPECT_EQ(pi_lock_step(ME | FUTEX_WAITERS | FUTEX_OWNER_DIED, ME, true, 0).action, PiLockAction::Deadlock);
}

TEST(FutexPi, AWaiterTakesOverFromTheOwnerThatEnded)
{
    PiLockStep step = pi_lock_step(OWNER | FUTEX_WAITERS, ME, true, OWNER);
    EXPECT_EQ(step.action, PiLockAction::Take);
    EXPECT_EQ(step.word, ME | FUTEX_OWNER_DIED | FUTEX_WAITERS); // robust list or not
    // Someone else took it meanwhile: wait for them.
    EXPECT_EQ(pi_lock_step(11 | FUTEX_WAITERS, ME, false, OWNER).action, PiLockAction::Wait);
}

TEST(FutexPi, UnlockNamesTheNextOwnerOrFreesTheLock)
{
    EXPECT_EQ(pi_unlocked_word(0), 0u);
    EXPECT_EQ(pi_unlocked_word(OWNER), OWNER | FUTEX_WAITERS);
}
