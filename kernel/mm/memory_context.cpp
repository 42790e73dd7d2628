#include "memory_context.h"

Result<FrameNumber> create_zero_frame(FrameAllocator& frames, PhysicalAccess& physical)
{
    FrameNumber frame = TRY(frames.allocate());
    // GCC builtins: freestanding needs only the memset/memcpy every C++ runtime must provide.
    __builtin_memset(physical.map_frame(frame), 0, PAGE_SIZE);
    frames.mark_zero(frame);
    return frame;
}

Result<FrameNumber> allocate_zeroed_frame(MemoryContext& context)
{
    FrameNumber frame = TRY(context.frames.allocate(FrameUse::User));
    __builtin_memset(context.physical.map_frame(frame), 0, PAGE_SIZE);
    return frame;
}

Result<FrameNumber> allocate_copy_of(MemoryContext& context, FrameNumber original)
{
    FrameNumber frame = TRY(context.frames.allocate(FrameUse::User));
    __builtin_memcpy(context.physical.map_frame(frame), context.physical.map_frame(original), PAGE_SIZE);
    return frame;
}

bool exceeds_all_memory(MemoryContext const& context, u64 bytes)
{
    u64 pages = bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);
    return pages > context.frames.total_frames();
}
