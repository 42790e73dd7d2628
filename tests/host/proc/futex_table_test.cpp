// The futex wait table on its own: whom a wake reaches (the word, the count, the bitset,
// arrival order), what a requeue moves, and that a waiter that gave up is not woken.
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
