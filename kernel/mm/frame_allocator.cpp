#include "frame_allocator.h"

#include "../lib/assert.h"
#include "vm_trace_events.h"

namespace {
LockClass g_free_list_lock_class { "frame allocator's free list" };
}

FrameAllocator::FrameAllocator(Frame* table, FrameNumber base, u64 count)
    : m_free_list_lock(g_free_list_lock_class), m_table(table), m_base(base), m_count(count)
{
    for (u64 i = 0; i < count; ++i)
        m_table[i] = Frame {};
}

Frame const& FrameAllocator::frame_record(FrameNumber frame) const
{
    if (!contains(frame)) [[unlikely]]
        PANIC("FrameAllocator: frame %llu outside [%llu, +%llu)", (unsigned long long)frame, (unsigned long long)m_base,
            (unsigned long long)m_count);
    return m_table[frame - m_base];
}

void FrameAllocator::push_free(FrameNumber number)
{
    Frame& record = frame(number);
    SpinLockGuard guard(m_free_list_lock);
    record.flags = Frame::Free;
    record.ref_count = 0;
    record.next_free = m_free_head;
    m_free_head = number;
    ++m_free_frames;
}

void FrameAllocator::add_free_range(FrameNumber first, u64 count)
{
    VERIFY(count == 0 || (contains(first) && contains(first + count - 1)));
    // Pushed highest first so that allocation hands out ascending frame numbers, which makes
    // boot logs and test expectations easier to read.
    for (u64 i = count; i > 0; --i) {
        FrameNumber number = first + i - 1;
        VERIFY(frame(number).flags == Frame::Reserved);
        push_free(number);
    }
    m_total_frames += count;
}

Result<FrameNumber> FrameAllocator::allocate_and_trace(FrameUse use)
{
    FrameNumber number = TRY(take_free_frame(use));
    trace_frame(VmEvent::FrameAlloc, number, use);
    return number;
}

Result<FrameNumber> FrameAllocator::take_free_frame(FrameUse use)
{
    SpinLockGuard guard(m_free_list_lock);
    if (m_free_head == NO_FRAME)
        return Errno::NoMemory;
    if (m_free_frames <= m_reserve) {
        if (use == FrameUse::User) {
            ++m_reserve_refusals;
            return Errno::NoMemory;
        }
        ++m_reserve_allocations;
    }
    FrameNumber number = m_free_head;
    Frame& record = frame(number);
    VERIFY(record.flags == Frame::Free && record.ref_count == 0);
    m_free_head = record.next_free;
    record.flags = 0;
    record.ref_count = 1;
    record.next_free = 0;
    --m_free_frames;
    return number;
}

void FrameAllocator::ref(FrameNumber number)
{
    Frame& record = frame(number);
    if (record.flags & Frame::Reserved)
        return;
    VERIFY(!(record.flags & Frame::Free));
    ++record.ref_count;
}

void FrameAllocator::unref(FrameNumber number)
{
    Frame& record = frame(number);
    if (record.flags & Frame::Reserved)
        return;
    VERIFY(!(record.flags & Frame::Free));
    VERIFY(record.ref_count > 0);
    if (--record.ref_count > 0)
        return;
    // The zero frame stays allocated for the life of the kernel, whatever its count says.
    if (record.flags & Frame::Zero)
        return;
    push_free(number);
    VM_TRACE(trace_frame(VmEvent::FrameFree, number));
}

u64 FrameAllocator::page_table_frames() const
{
    u64 tables = 0;
    for (u64 i = 0; i < m_count; ++i)
        tables += (m_table[i].flags & (Frame::PageTable | Frame::Free)) == Frame::PageTable;
    return tables;
}

u32 FrameAllocator::ref_count(FrameNumber number) const { return frame_record(number).ref_count; }

void FrameAllocator::mark_zero(FrameNumber number)
{
    Frame& record = frame(number);
    VERIFY(!(record.flags & (Frame::Free | Frame::Reserved)));
    record.flags |= Frame::Zero;
}
