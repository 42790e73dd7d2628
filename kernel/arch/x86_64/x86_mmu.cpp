#include "x86_mmu.h"
#include "cpu.h"
#include "kernel_memory.h"
#include "per_cpu.h"
#include "tlb_shootdown.h"

namespace {
constexpr u64 CR3_ADDRESS_MASK = 0x000FFFFFFFFFF000ull;
}

void CpuMmu::load(u64 pml4_physical)
{
    this_cpu().loaded_pml4 = pml4_physical; // before CR3: a shootdown must not miss us
    cpu::write_cr3(pml4_physical);
}

bool CpuMmu::is_loaded(u64 pml4_physical) const { return (cpu::read_cr3() & CR3_ADDRESS_MASK) == pml4_physical; }

void CpuMmu::invalidate_page(u64 virtual_address) { cpu::invalidate_page(virtual_address); }

void CpuMmu::invalidate_all() { cpu::write_cr3(cpu::read_cr3()); }

bool CpuMmu::is_loaded_elsewhere(u64 pml4_physical) const { return loaded_on_another_cpu(pml4_physical); }

usize CpuMmu::shoot_down(u64 pml4_physical, TlbFlush const& batch) { return tlb_shootdown(pml4_physical, batch); }

u64 const* CpuMmu::kernel_half() const { return static_cast<u64 const*>(physical_to_virtual(kernel_pml4_physical())) + 256; }
