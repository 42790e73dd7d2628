// The vDSO as the kernel sees it: two small page caches made at boot — [vvar], one page the
// kernel writes the clock's parameters into (vdso_data.h), and [vdso], the shared object
// built from kernel/proc/vdso/ and embedded in the kernel image — that execve maps into
// every new address space, read-only, at the bottom of the mmap area:
//
//   vdso_start            [vvar]  r--p  the one frame the kernel updates (seqlock)
//   vdso_start + 4 KiB    [vdso]  r-xp  ELF header here = AT_SYSINFO_EHDR
//
// Both are private mappings of their caches, so every process maps the same frames (a
// fork child too, as for any file mapping), and a write — only after an mprotect, which
// [vvar] refuses — would copy the page for that process alone.
#pragma once

#include "kernel/mm/address_space.h"

// Builds the pages and publishes the clock; after the clocks are set and before the first
// execve. Until then (and in a kernel that could not make them) exec maps no vDSO.
void vdso_initialize();
bool vdso_available();
// Bytes the two mappings take, and where the ELF image sits in them.
u64 vdso_span();
inline VirtAddr vdso_image_address(VirtAddr vdso_start) { return vdso_start + PAGE_SIZE; }
// Maps [vvar] and [vdso] at `vdso_start` (page aligned, free). The address space's errors.
Result<void> vdso_map(AddressSpace& space, VirtAddr vdso_start);
