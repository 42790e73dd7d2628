// MAP_GROWSDOWN (kernel/mm/stack_growth.cpp): a fault just below a grows-down mapping
// extends it, unless the guard gap, RLIMIT_STACK or RLIMIT_AS says no.
#include "mm_test_helpers.h"

namespace {

constexpr VirtAddr TOP = 0x40000000;

// A 2-page grows-down mapping ending at TOP.
VirtAddr grows_down(AddressSpace& space)
{
    VirtAddr low = map_private(space, 2, RW, TOP - 2 * P);
    EXPECT_FALSE(space.set_grows_down(low, 2 * P).is_error());
    return low;
}

}

TEST(StackGrowth, AFaultBelowGrowsTheMappingDownToThatPage)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr low = grows_down(*space);
    EXPECT_EQ(handle_page_fault(*space, low - 5 * P + 17, FaultAccess::Write), FaultResult::Handled);
    Mapping const* mapping = space->find_mapping(low - 5 * P);
    ASSERT_NE(mapping, nullptr);
    EXPECT_EQ(mapping->start(), low - 5 * P);
    EXPECT_EQ(mapping->end(), TOP);
    EXPECT_TRUE(mapping->has(VM_GROWSDOWN));
    EXPECT_EQ(space->mappings().count(), 1u); // one mapping, merged
    EXPECT_EQ(env.stats.stack_growths, 1u);
    EXPECT_EQ(env.stats.zero_fill_write, 1u); // only the touched page is faulted in
}

TEST(StackGrowth, APlainMappingDoesNotGrow)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr low = map_private(*space, 2, RW, TOP - 2 * P);
    EXPECT_EQ(handle_page_fault(*space, low - P, FaultAccess::Write), FaultResult::Segv);
    EXPECT_EQ(env.stats.stack_growths, 0u);
}

TEST(StackGrowth, AnAccessibleMappingInsideTheGuardGapStopsIt)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr low = grows_down(*space);
    VirtAddr below = map_private(*space, 1, VM_READ, low - 300 * P);
    // 259 pages above `below`'s end: outside the 256-page gap, so it grows ...
    EXPECT_EQ(handle_page_fault(*space, low - 40 * P, FaultAccess::Write), FaultResult::Handled);
    // ... but not to within 256 pages of it.
    EXPECT_EQ(handle_page_fault(*space, below + P + 255 * P, FaultAccess::Write), FaultResult::Segv);
    EXPECT_EQ(env.stats.stack_growths_refused, 1u);
    EXPECT_EQ(space->find_mapping(low)->start(), low - 40 * P);
    // A PROT_NONE mapping there is no obstacle (Linux's vma_is_accessible).
    MUST(space->protect(below, P, VM_NONE));
    EXPECT_EQ(handle_page_fault(*space, below + 2 * P, FaultAccess::Write), FaultResult::Handled);
}

TEST(StackGrowth, TheStackAndAddressSpaceLimitsBoundIt)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr low = grows_down(*space);
    space->set_stack_growth_limits(8 * P, ~u64(0));
    EXPECT_EQ(handle_page_fault(*space, low - 7 * P, FaultAccess::Write), FaultResult::Segv); // 9 pages
    EXPECT_EQ(handle_page_fault(*space, low - 6 * P, FaultAccess::Write), FaultResult::Handled); // 8: at the limit
    space->set_stack_growth_limits(~u64(0), space->mapped_bytes() + P);
    EXPECT_EQ(handle_page_fault(*space, low - 8 * P, FaultAccess::Write), FaultResult::Segv); // 2 more pages
    EXPECT_EQ(handle_page_fault(*space, low - 7 * P, FaultAccess::Write), FaultResult::Handled); // 1 more
    EXPECT_EQ(env.stats.stack_growths_refused, 2u);
}

TEST(StackGrowth, ForkKeepsTheFlag)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr low = grows_down(*space);
    auto child = MUST(fork_address_space(*space));
    EXPECT_EQ(handle_page_fault(*child, low - P, FaultAccess::Write), FaultResult::Handled);
    EXPECT_EQ(child->find_mapping(low - P)->start(), low - P);
    EXPECT_EQ(space->find_mapping(low - P), nullptr); // the parent's did not grow
}
