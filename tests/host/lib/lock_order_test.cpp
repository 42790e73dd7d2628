// The lock-order validator (kernel/lib/lock_order.h), with fake hooks: the pairs it
// records, the inversion it reports with both stacks, and what it does not report.
#include "kernel/lib/lock_order.h"
#include <gtest/gtest.h>
#include <vector>

namespace {

HeldLocks g_held;
u64 g_stack_marker;
std::vector<LockInversion> g_reports;

HeldLocks& held_here() { return g_held; }
void capture_stack(LockStack& stack) { stack.return_addresses[0] = g_stack_marker; }
void report(LockInversion const& inversion) { g_reports.push_back(inversion); }
LockOrderHooks const g_hooks { held_here, capture_stack, report };

struct LockOrderTest : ::testing::Test {
    LockClass outer { "outer" }, inner { "inner" }, third { "third" };
    void SetUp() override
    {
        lock_order_reset();
        g_held = {};
        g_reports.clear();
        lock_order_set_hooks(&g_hooks);
    }
    void TearDown() override { lock_order_set_hooks(nullptr); }
    void nest(LockClass& first, LockClass& second, u64 marker)
    {
        g_stack_marker = marker;
        lock_order_acquired(first);
        lock_order_acquired(second);
        lock_order_released(second);
        lock_order_released(first);
    }
};

}

TEST_F(LockOrderTest, OneOrderKeptIsNeverReported)
{
    for (int i = 0; i < 3; ++i)
        nest(outer, inner, 1);
    nest(inner, third, 2);
    nest(outer, third, 3);
    EXPECT_TRUE(g_reports.empty());
    EXPECT_EQ(g_held.count, 0u);
}

TEST_F(LockOrderTest, TheOppositeOrderIsReportedWithBothStacks)
{
    nest(outer, inner, 0x1111); // outer before inner, first seen at "0x1111"
    nest(inner, outer, 0x2222); // never deadlocked here, but two CPUs could
    ASSERT_EQ(g_reports.size(), 1u);
    EXPECT_STREQ(g_reports[0].held->name, "inner");
    EXPECT_STREQ(g_reports[0].taken->name, "outer");
    EXPECT_EQ(g_reports[0].recorded.return_addresses[0], 0x1111u);
    EXPECT_EQ(g_reports[0].now.return_addresses[0], 0x2222u);
}

TEST_F(LockOrderTest, LocksLetGoOutOfOrderLeaveTheRightOnesHeld)
{
    lock_order_acquired(outer);
    lock_order_acquired(inner);
    lock_order_released(outer);
    ASSERT_EQ(g_held.count, 1u);
    EXPECT_EQ(g_held.classes[0], &inner);
    lock_order_released(inner);
    lock_order_released(inner); // not held (taken before the hooks were bound): ignored
    EXPECT_EQ(g_held.count, 0u);
    EXPECT_TRUE(g_reports.empty());
}

TEST_F(LockOrderTest, TwoLocksOfOneClassAtOnceAreReported)
{
    lock_order_acquired(outer);
    lock_order_acquired(outer);
    ASSERT_EQ(g_reports.size(), 1u);
    EXPECT_EQ(g_reports[0].held, g_reports[0].taken);
}

TEST_F(LockOrderTest, WithoutHooksNothingIsRecorded)
{
    lock_order_set_hooks(nullptr);
    nest(outer, inner, 1);
    lock_order_set_hooks(&g_hooks);
    nest(inner, outer, 2); // the first order was never seen
    EXPECT_TRUE(g_reports.empty());
}
