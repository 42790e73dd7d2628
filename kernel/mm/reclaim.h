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

// Which clean pages reclaim may take: only those no process maps (what read() left in the
// cache), or mapped ones too (unmapped from every mapping first, unless in use).
enum class ReclaimMapped {
    No,
    Yes
};
// Drops up to `wanted` clean pages from the backed page caches, looking at no more than
// `scan_limit` pages of each; says how many it dropped, and how many mapped pages it spared
// because programs were using them (PageCache::evict_clean_pages: the second chance).
struct Reclaimed {
    u64 dropped { 0 };
    u64 spared { 0 };
};
Reclaimed reclaim_clean_pages(MemoryContext&, u64 wanted, ReclaimMapped, u64 scan_limit = ~u64(0));
// At a safe point: if fewer than the low watermark of frames are free, reclaims a batch of
// pages no process maps, with a bounded scan (a few pages per page wanted). Mapped pages are
// left to a fault that finds no frame at all (out_of_memory, proc/oom.h): taking them here
// too would look at each page twice in one kernel entry, with no chance for the program to
// show in between that it still uses them, and evict the code it runs.
void reclaim_if_low(MemoryContext&);
// Fewer frames free than that low watermark (what makes reclaim_if_low work).
bool memory_is_low(MemoryContext const&);
// /proc/sys/vm/drop_caches (1 or 3): drops every clean page-cache page that no process maps,
// as Linux's drop_pagecache (invalidate_mapping_pages) does. It writes nothing back: dirty
// and mapped pages stay (run sync() first to drop more, as on Linux). No page is under
// write-back meanwhile: the kernel lock is kept across disk waits (docs/locking.md, rule 2). Counts the write in drop_pagecache
// and the pages in pgevict; says how many pages it dropped.
u64 drop_clean_unmapped_pages(MemoryContext&);
