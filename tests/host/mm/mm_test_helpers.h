// Small helpers shared by the AddressSpace tests: user-memory access the way a program
// would see it, through the user-copy functions.
#pragma once

#include "tests/host/fakes/mm_environment.h"
#include <gtest/gtest.h>

constexpr VirtAddr P = PAGE_SIZE;
constexpr u32 RW = VM_READ | VM_WRITE;

inline void poke(AddressSpace& space, VirtAddr va, u8 value)
{
    ASSERT_FALSE(copy_to_user(space, va, &value, 1).is_error()) << std::hex << va;
}

inline u8 peek(AddressSpace& space, VirtAddr va)
{
    u8 value = 0xee;
    EXPECT_FALSE(copy_from_user(space, &value, va, 1).is_error()) << std::hex << va;
    return value;
}

inline VirtAddr map_private(AddressSpace& space, u64 pages, u32 prot = RW, VirtAddr at = 0)
{
    auto placement = at ? MapPlacement::FixedNoReplace : MapPlacement::Anywhere;
    auto result = space.map_anonymous(at, pages * P, prot, false, placement, "");
    EXPECT_FALSE(result.is_error());
    return result.is_error() ? 0 : result.value();
}
