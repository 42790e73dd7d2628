// TLB shootdown: a page-table change takes effect on every CPU before the call that made it
// returns. Each CPU's TLB caches translations of the table it has loaded (PerCpu's
// loaded_pml4); when the kernel-mode lock's holder changes or removes an entry of a table
// other CPUs have loaded, it asks them, by IPI, to invalidate the same pages, and waits
// until each has. Only then does it go on — and only then may a frame the change released
// go back to the frame allocator (X86PageTable's Unmapped, Linux's mmu_gather).
//
// A CPU that only borrows the table (a kernel thread or the idle loop runs there on the table
// loaded last: scheduler.cpp) lets go of it instead, loading the kernel's own; an address
// space about to be freed sends a request for everything first, so no CPU still has its
// table loaded when its frames go back (~X86PageTable).
//
// Only the lock's holder sends, so one request at a time exists; a CPU answers it in the
// IPI's handler, or in the kernel-mode lock's wait loop if it is waiting there with
// interrupts off.
#pragma once

#include "x86_page_table.h"

// Invalidates `batch` on every other CPU that has the table at `pml4_physical` loaded, and
// returns once they all have. Returns how many CPUs were asked. The caller holds the
// kernel-mode lock.
usize tlb_shootdown(u64 pml4_physical, TlbFlush const& batch);
// The same for the kernel's own mappings (global entries, in every table): every other CPU.
usize tlb_shootdown_kernel(TlbFlush const& batch);
// Whether another CPU has the table at `pml4_physical` loaded.
bool loaded_on_another_cpu(u64 pml4_physical);
// Does what a pending request asks of this CPU, if one does.
void tlb_shootdown_answer();
