// PageIndex: the page cache's map from file page index to cached frame, a small radix tree
// (like Linux's xarray, much simplified): 64-way nodes, four interior levels above 64-entry
// leaves, so it covers 2^30 pages (4 TiB of file). Nodes are allocated on first use and freed
// when they become empty, so a small file costs five small nodes and a 500 MiB file about
// 2000 leaves; lookups are five pointer steps whatever the size.
//
//   root (interior, bits 29..24) → interior (23..18) → interior (17..12) → interior (11..6)
//        → leaf (5..0): CachedPage[64] { frame, dirty, dirty_since }
//
// The index holds no frame references itself; PageCache does that bookkeeping.
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"
#include "frame.h"

struct CachedPage {
    FrameNumber frame { 0 };
    u64 dirty_since { 0 }; // clock value when it became dirty; meaningful while dirty
    bool present { false };
    bool dirty { false };
    bool read_ahead { false }; // read ahead of its reader, not used yet (readahead_hits counts the first use)
    bool read_ahead_marker { false }; // reaching it reads the next window (read_ahead.h)
};

class PageIndex {
public:
    static constexpr unsigned BITS = 6;
    static constexpr unsigned FAN_OUT = 1u << BITS;
    static constexpr unsigned LEVELS = 5; // four interior levels + the leaf level
    static constexpr u64 MAX_PAGES = u64(1) << (BITS * LEVELS);

    PageIndex() = default;
    PageIndex(PageIndex const&) = delete;
    PageIndex& operator=(PageIndex const&) = delete;
    ~PageIndex(); // frees the nodes (not the frames)

    // The present entry for `index`, or null.
    CachedPage* find(u64 index) const;
    // Adds a present, clean entry for `index` (which must not be present). FileTooBig for
    // index >= MAX_PAGES; NoMemory when a node cannot be allocated (nothing changes then).
    Result<CachedPage*> insert(u64 index, FrameNumber frame);
    // Removes the entry for `index` if present, freeing nodes that become empty.
    void remove(u64 index);
    // The present entry with the lowest index in [from, last], or null; sets `found` to its index.
    CachedPage* next_present(u64 from, u64 last, u64& found) const;
    u64 count() const { return m_count; }

private:
    void* m_root { nullptr };
    u64 m_count { 0 };
};
