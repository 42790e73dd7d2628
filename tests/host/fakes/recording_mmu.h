// RecordingMmu: the processor side of X86PageTable in host tests. It remembers which table
// is "loaded" and counts the invalidations asked for, so tests can check that a range
// operation flushes once, and that frames come back only after their flush. A test can also
// say that other CPUs have a table loaded (`loaded_elsewhere`): then the shootdowns asked
// for are recorded too.
#pragma once

#include "kernel/arch/x86_64/x86_mmu.h"
#include <vector>

class RecordingMmu final : public X86Mmu {
public:
    void load(u64 pml4_physical) override
    {
        loaded = pml4_physical;
        ++loads;
    }
    bool is_loaded(u64 pml4_physical) const override { return loaded == pml4_physical; }
    void invalidate_page(u64 va) override
    {
        ++page_invalidations;
        invalidated_pages.push_back(va);
    }
    void invalidate_all() override { ++full_invalidations; }
    u64 const* kernel_half() const override { return nullptr; }
    bool is_loaded_elsewhere(u64 pml4_physical) const override { return loaded_elsewhere == pml4_physical; }
    usize shoot_down(u64 pml4_physical, TlbFlush const&) override
    {
        if (loaded_elsewhere != pml4_physical)
            return 0;
        ++shootdowns;
        return other_cpus;
    }

    // Invalidations of any kind so far: a test notes it before an operation and compares.
    usize invalidations() const { return page_invalidations + full_invalidations; }

    u64 loaded { 0 };
    usize loads { 0 };
    usize page_invalidations { 0 };
    usize full_invalidations { 0 };
    std::vector<u64> invalidated_pages;
    u64 loaded_elsewhere { 0 }; // the table other CPUs have loaded (0: none)
    usize other_cpus { 1 }; // how many of them
    usize shootdowns { 0 };
};
