#include "tlb_shootdown.h"
#include "ap_start.h"
#include "cpu.h"
#include "kernel/lib/assert.h"
#include "kernel_memory.h"
#include "local_apic.h"
#include "per_cpu.h"

namespace {

constexpr u64 KERNEL_MAPPINGS = ~0ull; // as pml4: the kernel half, in every table

struct Request {
    u64 pml4;
    TlbFlush batch;
    u32 waiting; // one bit per CPU that has yet to invalidate
};
Request g_request;

// CR4.PGE toggled off and on again drops every TLB entry, global ones too.
void invalidate_everything_including_global()
{
    constexpr u64 CR4_GLOBAL_PAGES = 1 << 7;
    u64 cr4 = cpu::read_cr4();
    cpu::write_cr4(cr4 & ~CR4_GLOBAL_PAGES);
    cpu::write_cr4(cr4);
}

void invalidate_here(Request const& request)
{
    bool kernel = request.pml4 == KERNEL_MAPPINGS;
    if (!kernel && this_cpu().loaded_pml4 != request.pml4)
        return; // cannot happen while the sender waits, but costs nothing to check
    if (!kernel && this_cpu().borrowing_address_space) {
        // Only borrowed: let go of it rather than flush (a full flush too), so that the
        // next change to that address space need not ask this CPU again.
        activate_kernel_page_table();
        return;
    }
    if (request.batch.everything()) {
        if (kernel)
            invalidate_everything_including_global();
        else
            cpu::write_cr3(cpu::read_cr3());
        return;
    }
    for (usize i = 0; i < request.batch.count(); ++i)
        cpu::invalidate_page(request.batch.page(i)); // invlpg drops global entries too
}

usize send(u64 pml4, TlbFlush const& batch, bool (*wanted)(PerCpu const&, u64 pml4))
{
    u32 self = this_cpu().index, cpus = static_cast<u32>(cpus_online());
    u32 targets = 0;
    usize count = 0;
    for (u32 i = 0; i < cpus; ++i)
        if (i != self && wanted(per_cpu(i), pml4))
            targets |= 1u << i, ++count;
    if (!targets)
        return 0;
    g_request.pml4 = pml4;
    g_request.batch = batch;
    __atomic_store_n(&g_request.waiting, targets, __ATOMIC_RELEASE);
    for (u32 i = 0; i < cpus; ++i)
        if (targets & (1u << i))
            local_apic_send_ipi(per_cpu(i).apic_id, IPI_TLB_SHOOTDOWN_VECTOR);
    while (__atomic_load_n(&g_request.waiting, __ATOMIC_ACQUIRE) != 0)
        cpu::pause();
    return count;
}

}

usize tlb_shootdown(u64 pml4_physical, TlbFlush const& batch)
{
    return send(pml4_physical, batch, [](PerCpu const& cpu, u64 pml4) { return cpu.loaded_pml4 == pml4; });
}

usize tlb_shootdown_kernel(TlbFlush const& batch)
{
    return send(KERNEL_MAPPINGS, batch, [](PerCpu const&, u64) { return true; });
}

bool loaded_on_another_cpu(u64 pml4_physical)
{
    u32 self = this_cpu().index;
    for (u32 i = 0; i < cpus_online(); ++i)
        if (i != self && per_cpu(i).loaded_pml4 == pml4_physical)
            return true;
    return false;
}

void tlb_shootdown_answer()
{
    u32 bit = 1u << this_cpu().index;
    if (!(__atomic_load_n(&g_request.waiting, __ATOMIC_ACQUIRE) & bit))
        return;
    invalidate_here(g_request);
    __atomic_fetch_and(&g_request.waiting, ~bit, __ATOMIC_RELEASE);
}
