// Memory pressure: when free frames run low, clean page-cache pages are the frames the kernel
// can take back at once — their bytes are still on disk and are read again on the next
// access. A page some process maps is first unmapped from every mapping of its cache (the
// cache knows them: its mapping list is Linux's i_mmap), unless a PTE has dirtied it.
//
// Reclaim runs only at safe points — entering a system call or a page fault, and between
// chunks of a large read() or write() — never inside an allocation: a fault that has just
// looked a page up must not see it evicted before it maps it. The low watermark leaves
// every operation between two safe points the frames it can need.
#pragma once

#include "../lib/types.h"
#include "memory_context.h"

// Drops up to `wanted` clean pages from the backed page caches; returns how many.
u64 reclaim_clean_pages(MemoryContext&, u64 wanted);
// At a safe point: if fewer than the low watermark of frames are free, reclaims a batch.
void reclaim_if_low(MemoryContext&);
