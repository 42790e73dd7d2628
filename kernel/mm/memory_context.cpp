#include "memory_context.h"

Result<FrameNumber> create_zero_frame(FrameAllocator& frames, PhysicalAccess& physical)
{
    FrameNumber frame = TRY(frames.allocate());
    // GCC builtins: freestanding needs only the memset/memcpy every C++ runtime must provide.
    __builtin_memset(physical.map_frame(frame), 0, PAGE_SIZE);
    frames.mark_zero(frame);
    return frame;
}
