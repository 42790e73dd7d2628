// A complete VM-core environment for host tests: a frame table of N frames (numbered from a
// non-zero base so off-by-base bugs show), the fakes, counters, and a zero frame.
#pragma once

#include "fake_page_table.h"
#include "kernel/arch/x86_64/x86_page_table.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/fork.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/user_memory.h"
#include "recording_mmu.h"
#include <memory>

// Which page tables the address spaces get: the std::map fake, or the real X86PageTable
// over the same frames (with a RecordingMmu for the processor).
enum class TableKind {
    Fake,
    X86
};

struct MmEnvironment {
    static constexpr FrameNumber BASE = 0x100;

    explicit MmEnvironment(u64 frame_count = 256, ForkMode mode = ForkMode::CopyOnWrite, TableKind kind = TableKind::Fake);

    u64 frame_count;
    std::unique_ptr<Frame[]> table;
    FrameAllocator frames;
    FakePhysicalAccess physical;
    FakePageTableFactory page_tables;
    VmStats stats;
    RecordingMmu mmu;
    X86PageTableFactory x86_tables;
    PageCacheList backed_caches;
    MemoryContext context;
    // The VM lock as the address spaces see it (MemoryContext::vm_lock_held): a test clears
    // it to check that the entry points refuse to run without it.
    static inline bool vm_lock_held = true;

    // Frames free right after setup (everything but the zero frame).
    u64 initial_free() const { return frame_count - 1; }
    RefPtr<AddressSpace> new_space();
    FakePageTable& fake(AddressSpace& space) { return static_cast<FakePageTable&>(space.page_table()); }
    X86PageTable& x86(AddressSpace& space) { return static_cast<X86PageTable&>(space.page_table()); }
};
