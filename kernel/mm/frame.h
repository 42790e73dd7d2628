// One Frame record per physical page frame. Frames are not heap objects: they live in a
// table indexed by frame number; free ones are threaded onto the free-frame list.
#pragma once

#include "../lib/types.h"

using FrameNumber = u64; // physical address >> PAGE_SHIFT

constexpr u64 frame_to_physical(FrameNumber frame) { return frame << PAGE_SHIFT; }
constexpr FrameNumber physical_to_frame(u64 address) { return address >> PAGE_SHIFT; }

struct Frame {
    enum Flags : u16 {
        Free = 1 << 0,
        Reserved = 1 << 1, // firmware, kernel image, frame table: never allocated
        Zero = 1 << 2, // the shared zero frame: never written, never freed
        PageTable = 1 << 3, // holds page-table entries
    };

    u32 ref_count { 0 }; // page-table entries + kernel references that hold this frame
    u16 flags { Reserved };
    FrameNumber next_free { 0 }; // free-list link, valid while Free
    u32 entries_in_use { 0 }; // PageTable frames: present entries, so empty tables can be freed
};
