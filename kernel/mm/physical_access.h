// How the VM core reaches the bytes of a physical frame: the kernel's direct map, or a
// malloc'd arena in host tests (the idea of Serenity's quickmap_page).
#pragma once

#include "frame.h"

class PhysicalAccess {
public:
    virtual ~PhysicalAccess() = default;
    virtual u8* map_frame(FrameNumber frame) = 0; // PAGE_SIZE bytes, valid while the frame is
};
