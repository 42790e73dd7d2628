// FrameAllocator: owns a table of Frame records for frame numbers [base, base+count) and the
// free-frame list threaded through Frame::next_free (xv6's `struct run`, kept in the table).
// An object rather than a global so a host test can build one over 64 frames and drive OOM.
//
// Refcount rule: a frame's ref_count is the number of page-table entries plus kernel
// references that hold it. allocate() returns a frame with ref_count 1 (the caller's
// reference); the frame returns to the free list when unref() brings it to 0. Reserved frames
// are never counted or freed; the Zero frame is counted but never freed.
//
// The reserve: user frames (FrameUse::User) may not take the last reserve() free frames;
// kernel frames may. Programs can ask for memory without end, the kernel's own objects are
// bounded by limits; so when programs have filled memory the kernel can still grow its heap
// (a path buffer for unlink), map a kernel stack or a page table (munmap of a shared table)
// — and with that, free memory again.
//
// Locking: protected by the VM lock (the kernel lock, docs/locking.md), and the free list
// by a spin lock of its own as well: page faults taking the kernel-mode lock shared
// (mm/parallel_fault.h) allocate and free frames on several CPUs at once. Reference counts
// have no lock: such a fault touches only the count of the fresh frame it allocated.
// allocate() and unref() never sleep.
#pragma once

#include "../lib/result.h"
#include "../lib/spin_lock.h"
#include "../lib/types.h"
#include "frame.h"
#include "vm_trace.h"

// Who a frame is for (see the reserve above).
enum class FrameUse {
    Kernel, // the kernel heap, kernel stacks, page tables, the zero frame: may use the reserve
    User, // anonymous pages, copy-on-write copies, page-cache pages: stop at the reserve
};

class FrameAllocator {
public:
    // Takes over `table`, which must hold `count` records for frames [base, base+count), and
    // marks them all Reserved. No frame is allocatable until add_free_range() is called.
    FrameAllocator(Frame* table, FrameNumber base, u64 count);
    FrameAllocator(FrameAllocator const&) = delete;
    FrameAllocator& operator=(FrameAllocator const&) = delete;

    // Makes the Reserved frames [first, first+count) allocatable. The range must lie inside
    // the table. The lowest frame of the range is handed out first.
    void add_free_range(FrameNumber first, u64 count);

    // Pops a frame from the free list with ref_count 1. Its contents are NOT zeroed.
    // Errno::NoMemory when no frame is free, or for a User frame when only the reserve is.
    // The VM trace's test is here, in the caller, and the traced allocation is another
    // function: recording at the end of one function (VM_TRACE's way) would keep the frame
    // and the result's address across a call, so every allocation, trace off too, saved and
    // restored registers for it — 5 instructions a frame, which was most of the
    // trace's cost when off (docs/benchmarks.md, "The VM trace's cost"). Now it is the test.
    Result<FrameNumber> allocate(FrameUse use = FrameUse::Kernel)
    {
        return vm_trace_enabled() ? allocate_and_trace(use) : take_free_frame(use);
    }

    // Adds or drops one reference. unref() frees the frame at 0; Reserved frames are ignored
    // and the Zero frame is never freed.
    void ref(FrameNumber);
    void unref(FrameNumber);
    u32 ref_count(FrameNumber) const;

    // Marks an allocated frame as the shared zero frame (its contents must already be zero).
    void mark_zero(FrameNumber);
    bool is_zero(FrameNumber frame) const { return frame_record(frame).flags & Frame::Zero; }

    bool contains(FrameNumber frame) const { return frame >= m_base && frame - m_base < m_count; }
    // One past the highest frame number the table describes.
    FrameNumber end_frame() const { return m_base + m_count; }
    Frame& frame(FrameNumber frame) { return const_cast<Frame&>(frame_record(frame)); }

    u64 total_frames() const { return m_total_frames; } // frames ever added as free
    // Allocated frames holding page-table entries now (a leaf table shared by several
    // address spaces after fork is one frame, counted once): /proc/meminfo's PageTables.
    // A walk of the frame table, for the rare reader; nothing on a hot path keeps it.
    u64 page_table_frames() const;
    u64 free_frames() const { return __atomic_load_n(&m_free_frames, __ATOMIC_RELAXED); }

    // The frames only kernel allocations may take (0 at construction).
    void set_reserve(u64 frames) { m_reserve = frames; }
    u64 reserve() const { return m_reserve; }
    // Frames a User allocation can still get.
    u64 user_free_frames() const
    {
        u64 free = free_frames();
        return free > m_reserve ? free - m_reserve : 0;
    }
    // User allocations refused because only the reserve was left; kernel allocations that
    // took a frame of the reserve. Both only count up.
    u64 reserve_refusals() const { return m_reserve_refusals; }
    u64 reserve_allocations() const { return m_reserve_allocations; }
    // The kernel's reserve for `total` frames: 1/128 of memory (Linux's min_free_kbytes is
    // of that order), at least 64 frames and at most 1024 (4 MiB).
    static u64 default_reserve(u64 total) { return min<u64>(max<u64>(total / 128, 64), 1024); }

private:
    static constexpr FrameNumber NO_FRAME = ~FrameNumber(0);

    Frame const& frame_record(FrameNumber) const;
    void push_free(FrameNumber);
    Result<FrameNumber> take_free_frame(FrameUse); // allocate()'s work
    Result<FrameNumber> allocate_and_trace(FrameUse); // and its FrameAlloc record

    SpinLock m_free_list_lock; // m_free_head, m_free_frames and the reserve's two counters
    Frame* m_table;
    FrameNumber m_base;
    u64 m_count;
    FrameNumber m_free_head { NO_FRAME };
    u64 m_total_frames { 0 };
    u64 m_free_frames { 0 };
    u64 m_reserve { 0 };
    u64 m_reserve_refusals { 0 };
    u64 m_reserve_allocations { 0 };
};
