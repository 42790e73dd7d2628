// The futex wait table on its own: whom a wake reaches (the word, the count, the bitset,
// arrival order), what a requeue moves, that a waiter that gave up is not woken, and that a
// futex_waitv group is woken once, by any of its words.
#include "kernel/proc/futex_table.h"
#include <gtest/gtest.h>
#include <vector>

namespace {

// Stand-ins for threads: the table never looks inside one, only passes it back.
Thread* fake_thread(int n) { return reinterpret_cast<Thread*>(static_cast<uintptr_t>(0x1000 * n)); }
int thread_number(Thread& thread) { return static_cast<int>(reinterpret_cast<uintptr_t>(&thread) / 0x1000); }

int g_space_a, g_space_b;
constexpr u64 WORD = 0x1000, OTHER_WORD = 0x2000;

struct Table {
    FutexTable table;
    std::vector<int> woken;
    u32 wake(FutexKey key, u32 count, u32 bitset = FUTEX_BITSET_MATCH_ANY)
    {
        return table.wake(key, count, bitset, [&](Thread& t) { woken.push_back(thread_number(t)); });
    }
    u32 requeue(FutexKey from, FutexKey to, u32 wake_count, u32 move_count)
    {
        return table.requeue(from, to, wake_count, move_count, [&](Thread& t) { woken.push_back(thread_number(t)); });
    }
};

}

TEST(FutexTableTest, WakeTakesTheOldestWaitersOfThatWordUpToTheCount)
{
    Table t;
    FutexTable::Waiter w1 { { &g_space_a, WORD }, fake_thread(1) }, w2 { { &g_space_a, OTHER_WORD }, fake_thread(2) },
        w3 { { &g_space_a, WORD }, fake_thread(3) }, w4 { { &g_space_a, WORD }, fake_thread(4) };
    for (auto* w : { &w1, &w2, &w3, &w4 })
        t.table.enqueue(*w);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 2), 2u);
    EXPECT_EQ(t.woken, (std::vector<int> { 1, 3 }));
    EXPECT_TRUE(w1.woken && w3.woken && !w4.woken && !w2.woken);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 1u);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 0u);
    t.table.remove(w2);
}

TEST(FutexTableTest, TheSameAddressInAnotherSpaceIsAnotherWord)
{
    Table t;
    FutexTable::Waiter w { { &g_space_b, WORD }, fake_thread(1) };
    t.table.enqueue(w);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 1), 0u);
    EXPECT_EQ(t.wake({ &g_space_b, WORD }, 1), 1u);
}

TEST(FutexTableTest, BitsetsChooseWhichWaitersAWakeReaches)
{
    Table t;
    FutexTable::Waiter low { { &g_space_a, WORD }, fake_thread(1), 0x1 }, high { { &g_space_a, WORD }, fake_thread(2), 0x2 };
    t.table.enqueue(low);
    t.table.enqueue(high);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10, 0x2), 1u);
    EXPECT_EQ(t.woken, (std::vector<int> { 2 }));
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10, 0x4), 0u);
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 1u); // MATCH_ANY
}

TEST(FutexTableTest, RequeueWakesSomeAndMovesOthersInOrder)
{
    Table t;
    FutexTable::Waiter w[4] = { { { &g_space_a, WORD }, fake_thread(1) }, { { &g_space_a, WORD }, fake_thread(2) },
        { { &g_space_a, WORD }, fake_thread(3) }, { { &g_space_a, WORD }, fake_thread(4) } };
    for (auto& waiter : w)
        t.table.enqueue(waiter);
    EXPECT_EQ(t.requeue({ &g_space_a, WORD }, { &g_space_a, OTHER_WORD }, 1, 2), 3u);
    EXPECT_EQ(t.woken, (std::vector<int> { 1 }));
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 1u); // the one left behind: 4
    EXPECT_EQ(t.wake({ &g_space_a, OTHER_WORD }, 10), 2u); // the moved ones, in their order
    EXPECT_EQ(t.woken, (std::vector<int> { 1, 4, 2, 3 }));
}

TEST(FutexTableTest, AWaiterThatGaveUpIsNotWoken)
{
    Table t;
    FutexTable::Waiter gone { { &g_space_a, WORD }, fake_thread(1) }, stays { { &g_space_a, WORD }, fake_thread(2) };
    t.table.enqueue(gone);
    t.table.enqueue(stays);
    t.table.remove(gone);
    t.table.remove(gone); // twice is harmless (a wake may have taken it already)
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 1u);
    EXPECT_EQ(t.woken, (std::vector<int> { 2 }));
    EXPECT_FALSE(gone.woken);
}

namespace {

// A PI lock's waiter: thread n, with TID 100 + n, waiting for `owner`.
FutexTable::Waiter pi_waiter(FutexKey key, int n, u32 owner)
{
    FutexTable::Waiter waiter { key, fake_thread(n) };
    waiter.tid = 100 + n;
    waiter.pi_owner = owner;
    return waiter;
}

}

TEST(FutexTableTest, APiLockGoesToItsOldestWaiterAndTheOthersThenWaitForIt)
{
    Table t;
    FutexKey lock { &g_space_a, WORD };
    FutexTable::Waiter plain { lock, fake_thread(9) };
    FutexTable::Waiter first = pi_waiter(lock, 1, 50), second = pi_waiter(lock, 2, 50);
    FutexTable::Waiter elsewhere = pi_waiter({ &g_space_a, OTHER_WORD }, 3, 50);
    for (auto* w : { &plain, &first, &second, &elsewhere })
        t.table.enqueue(*w);
    ASSERT_EQ(t.table.next_pi_owner(lock), &first); // a plain waiter is no candidate
    t.table.hand_over(first, [&](Thread& thread) { t.woken.push_back(thread_number(thread)); });
    EXPECT_TRUE(first.woken && first.handed_over && !first.owner_gone);
    EXPECT_EQ(t.woken, (std::vector<int> { 1 }));
    EXPECT_EQ(second.pi_owner, 101u);
    EXPECT_EQ(elsewhere.pi_owner, 50u);
    EXPECT_EQ(t.table.next_pi_owner(lock), &second);
    t.table.remove(second);
    EXPECT_EQ(t.table.next_pi_owner(lock), nullptr);
    t.table.remove(plain);
    t.table.remove(elsewhere);
}

TEST(FutexTableTest, AnOwnersEndWakesTheOldestWaiterOfEachLockItHeld)
{
    Table t;
    FutexKey a { &g_space_a, WORD }, b { &g_space_a, OTHER_WORD }, c { &g_space_b, WORD };
    FutexTable::Waiter a1 = pi_waiter(a, 1, 50), a2 = pi_waiter(a, 2, 50), b1 = pi_waiter(b, 3, 50), c1 = pi_waiter(c, 4, 60);
    for (auto* w : { &a1, &a2, &b1, &c1 })
        t.table.enqueue(*w);
    EXPECT_EQ(t.table.pi_owner_exited(50, [&](Thread& thread) { t.woken.push_back(thread_number(thread)); }), 2u);
    EXPECT_EQ(t.woken, (std::vector<int> { 1, 3 }));
    EXPECT_TRUE(a1.owner_gone && a1.woken && !a1.handed_over);
    EXPECT_EQ(a1.pi_owner, 50u); // whose end woke it: the word may still name it
    EXPECT_FALSE(a2.woken);
    EXPECT_EQ(a2.pi_owner, 0u); // waits for whoever takes the lock over
    EXPECT_FALSE(c1.woken);
    t.table.set_pi_owner(a, 101);
    EXPECT_EQ(a2.pi_owner, 101u);
    t.table.remove(a2);
    t.table.remove(c1);
}

TEST(FutexTableTest, PlainAndPiWaitersAreToldApart)
{
    Table t;
    FutexKey plain_word { &g_space_a, WORD }, lock { &g_space_a, OTHER_WORD };
    FutexTable::Waiter plain { plain_word, fake_thread(1) }, locker = pi_waiter(lock, 2, 50);
    t.table.enqueue(plain);
    t.table.enqueue(locker);
    EXPECT_TRUE(t.table.has_waiters(plain_word, false));
    EXPECT_FALSE(t.table.has_waiters(plain_word, true));
    EXPECT_TRUE(t.table.has_waiters(lock, true));
    EXPECT_FALSE(t.table.has_waiters(lock, false));
    t.table.remove(plain);
    t.table.remove(locker);
    EXPECT_FALSE(t.table.has_waiters(lock, true));
}

TEST(FutexTableTest, AGroupIsWokenOnceByAnyOfItsWordsAndLeavesTheLineWhole)
{
    Table t;
    FutexTable::Waiter group[3];
    u64 words[3] = { WORD, OTHER_WORD, 0x3000 };
    FutexTable::Waiter before { { &g_space_a, OTHER_WORD }, fake_thread(1) };
    FutexTable::Waiter after { { &g_space_a, OTHER_WORD }, fake_thread(3) };
    t.table.enqueue(before);
    for (u32 i = 0; i < 3; ++i) {
        group[i] = FutexTable::Waiter { { &g_space_a, words[i] }, fake_thread(2) };
        group[i].group = group;
        group[i].group_size = 3;
        t.table.enqueue(group[i]);
    }
    t.table.enqueue(after);
    // One wake of the middle word reaches the waiter before the group, the group (once) and
    // the one after: three threads, three counted.
    EXPECT_EQ(t.wake({ &g_space_a, OTHER_WORD }, 10), 3u);
    EXPECT_EQ(t.woken, (std::vector<int> { 1, 2, 3 }));
    EXPECT_TRUE(!group[0].woken && group[1].woken && !group[2].woken);
    // The group's other words no longer hold it.
    EXPECT_EQ(t.wake({ &g_space_a, WORD }, 10), 0u);
    EXPECT_EQ(t.wake({ &g_space_a, 0x3000 }, 10), 0u);
}
