// A complete VM-core environment for host tests: a frame table of N frames (numbered from a
// non-zero base so off-by-base bugs show), the fakes, counters, and a zero frame.
#pragma once

#include "fake_page_table.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/memory_context.h"
#include <memory>

struct MmEnvironment {
    static constexpr FrameNumber BASE = 0x100;

    explicit MmEnvironment(u64 frame_count = 256, ForkMode mode = ForkMode::CopyOnWrite);

    u64 frame_count;
    std::unique_ptr<Frame[]> table;
    FrameAllocator frames;
    FakePhysicalAccess physical;
    FakePageTableFactory page_tables;
    VmStats stats;
    MemoryContext context;

    // Frames free right after setup (everything but the zero frame).
    u64 initial_free() const { return frame_count - 1; }
    RefPtr<AddressSpace> new_space();
    FakePageTable& fake(AddressSpace& space) { return static_cast<FakePageTable&>(space.page_table()); }
};
