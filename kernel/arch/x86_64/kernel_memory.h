// The kernel's view of physical memory: every physical byte is reachable at
// DIRECT_MAP_BASE + physical address (the "direct map"), and the kernel image runs at
// KERNEL_VIRTUAL_BASE + physical address.
#pragma once

#include "kernel/lib/types.h"

constexpr u64 DIRECT_MAP_BASE = 0xffff800000000000;
constexpr u64 KERNEL_VIRTUAL_BASE = 0xffffffff80000000;

inline void* physical_to_virtual(u64 physical) { return reinterpret_cast<void*>(physical + DIRECT_MAP_BASE); }
inline u64 virtual_to_physical(void const* address)
{
    u64 va = reinterpret_cast<u64>(address);
    return va >= KERNEL_VIRTUAL_BASE ? va - KERNEL_VIRTUAL_BASE : va - DIRECT_MAP_BASE;
}

struct BootInfo;

// Builds the kernel page table (direct map of all RAM, kernel image) and the frame allocator,
// carving the frame table and the kernel heap out of free RAM.
void initialize_kernel_memory(BootInfo const&);
// Physical address of the kernel's PML4; its upper half is shared by every address space.
u64 kernel_pml4_physical();

class FrameAllocator;
FrameAllocator& kernel_frame_allocator();
