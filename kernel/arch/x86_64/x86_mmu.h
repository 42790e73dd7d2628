// X86Mmu: what an X86PageTable needs from the processor besides memory — loading a table
// into CR3 and invalidating translations — plus the kernel half every table copies. The
// kernel's is the real CPU (CpuMmu); host tests use one that records what it was asked, so
// X86PageTable itself compiles and is tested on the host.
#pragma once

#include "kernel/lib/types.h"

class TlbFlush;

class X86Mmu {
public:
    virtual ~X86Mmu() = default;
    virtual void load(u64 pml4_physical) = 0;
    // True if `pml4_physical` is the table this CPU translates with (only it can have entries
    // in this CPU's TLB: loading CR3 drops every non-global entry of the previous table).
    virtual bool is_loaded(u64 pml4_physical) const = 0;
    virtual void invalidate_page(u64 virtual_address) = 0;
    virtual void invalidate_all() = 0; // every non-global entry (a CR3 reload)
    // Other CPUs: whether one has `pml4_physical` loaded, and invalidating `batch` there,
    // returning once each has (tlb_shootdown.h); returns how many CPUs were asked. One CPU
    // (the host tests): none.
    virtual bool is_loaded_elsewhere(u64) const { return false; }
    virtual usize shoot_down(u64, TlbFlush const&) { return 0; }
    // PML4 entries 256..511, the kernel half, copied into every new table; null on the host.
    virtual u64 const* kernel_half() const = 0;
};

// The processor this kernel runs on.
class CpuMmu final : public X86Mmu {
public:
    void load(u64 pml4_physical) override;
    bool is_loaded(u64 pml4_physical) const override;
    void invalidate_page(u64 virtual_address) override;
    void invalidate_all() override;
    bool is_loaded_elsewhere(u64 pml4_physical) const override;
    usize shoot_down(u64 pml4_physical, TlbFlush const& batch) override;
    u64 const* kernel_half() const override;
};
