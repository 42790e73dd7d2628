#include "pipe_ring.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_memory.h"
#include <new>

PipeRing::~PipeRing()
{
    while (!is_empty())
        give_back_page(slot(m_tail++).page);
    delete[] m_spare_page;
    delete[] m_slots;
}

Result<void> PipeRing::initialize(u32 slots)
{
    m_slots = new (std::nothrow) Slot[slots];
    if (!m_slots)
        return Errno::NoMemory;
    m_slot_count = slots;
    return {};
}

u8* PipeRing::take_page()
{
    if (u8* page = m_spare_page) {
        m_spare_page = nullptr;
        return page;
    }
    return new (std::nothrow) u8[PAGE_SIZE];
}

void PipeRing::give_back_page(u8* page)
{
    if (!m_spare_page)
        m_spare_page = page;
    else
        delete[] page;
}

usize PipeRing::bytes() const
{
    usize total = 0;
    for (u32 counter = m_tail; counter != m_head; ++counter)
        total += slot(counter).length;
    return total;
}

Result<usize> PipeRing::take(AddressSpace& space, u64 buffer, usize count, bool& freed_slot)
{
    freed_slot = false;
    usize done = 0;
    while (done < count && !is_empty()) {
        Slot& first = slot(m_tail);
        usize piece = min<usize>(first.length, count - done);
        if (auto copied = copy_to_user(space, buffer + done, first.page + first.offset, piece); copied.is_error())
            return done ? Result<usize>(done) : Result<usize>(copied.error());
        done += piece;
        first.offset += piece;
        first.length -= piece;
        bool packet = first.packet;
        if (packet)
            first.length = 0; // the rest of a packet is dropped
        if (first.length == 0) {
            give_back_page(first.page);
            first.page = nullptr;
            ++m_tail;
            freed_slot = true;
        }
        if (packet)
            break;
    }
    return done;
}

Result<usize> PipeRing::top_up(AddressSpace& space, u64 buffer, usize count, bool packets)
{
    usize head_piece = count % PAGE_SIZE;
    if (!head_piece || is_empty() || packets)
        return 0;
    Slot& last = slot(m_head - 1);
    if (last.packet || last.offset + last.length + head_piece > PAGE_SIZE)
        return 0;
    TRY(copy_from_user(space, last.page + last.offset + last.length, buffer, head_piece));
    last.length += head_piece;
    return head_piece;
}

Result<usize> PipeRing::add_page(AddressSpace& space, u64 buffer, usize count, bool packets)
{
    VERIFY(!is_full());
    u8* page = take_page();
    if (!page)
        return Errno::NoMemory;
    usize piece = min<usize>(PAGE_SIZE, count);
    if (auto copied = copy_from_user(space, page, buffer, piece); copied.is_error()) {
        give_back_page(page);
        return copied.error();
    }
    slot(m_head++) = { page, 0, static_cast<u32>(piece), packets };
    return piece;
}

Result<usize> PipeRing::resize(u64 bytes)
{
    if (bytes > (u64(1) << 31))
        return Errno::Invalid;
    u32 count = 1;
    while (count * PAGE_SIZE < bytes)
        count *= 2;
    if (occupied() > count)
        return Errno::Busy;
    if (count == m_slot_count)
        return capacity();
    auto* slots = new (std::nothrow) Slot[count];
    if (!slots)
        return Errno::NoMemory;
    u32 used = occupied();
    for (u32 i = 0; i < used; ++i)
        slots[i] = slot(m_tail + i);
    delete[] m_slots;
    m_slots = slots;
    m_slot_count = count;
    m_tail = 0;
    m_head = used;
    return capacity();
}
