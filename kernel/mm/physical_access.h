// How the VM core reaches the bytes of a physical frame. Frames are mapped one after another
// — the kernel's direct map of all RAM, or a malloc'd arena in host tests — so frame f's
// bytes are at a fixed offset from the first frame's: a computation, not a call, on paths as
// hot as a page-table walk (the idea of Serenity's quickmap_page, without the mapping).
#pragma once

#include "../lib/assert.h"
#include "frame.h"

class PhysicalAccess {
public:
    // Frames [first_frame, first_frame + frame_count) lie one after another from `bytes`.
    PhysicalAccess(u8* bytes, FrameNumber first_frame, u64 frame_count)
        : m_bytes(bytes), m_first_frame(first_frame), m_frame_count(frame_count)
    { }

    // PAGE_SIZE bytes, valid while the frame is.
    u8* map_frame(FrameNumber frame) const
    {
#ifdef PAGODA_HOSTED
        VERIFY(frame - m_first_frame < m_frame_count); // host tests catch a stray frame number
#endif
        return m_bytes + (frame - m_first_frame) * PAGE_SIZE;
    }

private:
    u8* m_bytes;
    FrameNumber m_first_frame;
    u64 m_frame_count;
};
