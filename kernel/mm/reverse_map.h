// The reverse map: from a page of a page cache to the PTEs that map it. Write-back,
// truncation and reclaim work on pages of a file; to make a page read-only, or take it
// away, they must find every entry that maps it — through the cache's list of its mappings
// (Linux's i_mmap) and each mapping's address space:
//
//   PageCache ──m_mappings──▶ Mapping ──address_space()──▶ PageTable ──▶ PTE of page `index`
//
// A PTE of a file mapping may also map a private copy of the page (MAP_PRIVATE after a
// write); maps_cache_frame() tells the two apart.
#pragma once

#include "mapping.h"
#include "page_cache.h"

// True when the PTE at `va` of file mapping `mapping` maps the cache's frame `frame` for its page.
bool maps_cache_frame(Mapping const& mapping, VirtAddr va, FrameNumber frame);

// Write-back: write-protects and cleans page `index` in every shared mapping of `cache`, so
// a store after this point faults and re-dirties the page.
void write_protect_cache_page(PageCache& cache, u64 index);
// Truncation: removes the PTEs of every page >= first_index from every mapping of `cache`
// (private copies too, as Linux does), so no PTE outlives the file's end.
void unmap_cache_pages_from(PageCache& cache, u64 first_index);
// Reclaim: removes each PTE that maps page `index`'s cache frame, unless the MMU dirtied it
// or it lies in a leaf table shared since a fork (unsharing would need memory, which is
// what reclaim is short of).
void unmap_clean_cache_page(PageCache& cache, u64 index);
// Reclaim's second chance: clears the accessed bit of every PTE that maps page `index`'s
// cache frame and says whether any was set — a page some program used since reclaim last
// looked at it, which it spares this time.
bool clear_cache_page_referenced(PageCache& cache, u64 index);
// msync, munmap, MADV_DONTNEED: moves the PTE dirty bits of [start, end) of a shared
// mapping of a backed file into its cache (clearing them in the PTEs).
void collect_dirty_bits(Mapping const& mapping, VirtAddr start, VirtAddr end);
