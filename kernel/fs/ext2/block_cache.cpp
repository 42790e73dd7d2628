// BlockCache: fixed slots, linear search, least-recently-used eviction. Sixty-four slots are
// searched faster than a hash table would be built, and keep the code obvious.
#include "block_cache.h"
#include "../../lib/memory.h"
#include <new>

BlockCache::~BlockCache()
{
    delete[] m_slots;
    delete[] m_memory;
}

Result<void> BlockCache::initialize(u32 block_size, usize capacity)
{
    m_block_size = block_size;
    m_slots = new (std::nothrow) Slot[capacity];
    m_memory = new (std::nothrow) u8[capacity * m_block_size];
    if (!m_slots || !m_memory)
        return Errno::NoMemory;
    m_capacity = capacity;
    for (usize i = 0; i < capacity; ++i)
        m_slots[i].data = m_memory + i * m_block_size;
    return {};
}

BlockCache::Slot* BlockCache::find(u32 block)
{
    for (usize i = 0; i < m_capacity; ++i) {
        if (m_slots[i].valid && m_slots[i].block == block)
            return &m_slots[i];
    }
    return nullptr;
}

Result<void> BlockCache::write_slot(Slot& slot)
{
    TRY(m_device.write(u64(slot.block) * m_block_size, slot.data, m_block_size));
    slot.dirty = false;
    return {};
}

// Returns an invalid slot, or evicts the least recently used one (writing it if dirty).
Result<BlockCache::Slot*> BlockCache::take_slot(u32 block)
{
    Slot* victim = nullptr;
    for (usize i = 0; i < m_capacity; ++i) {
        Slot& slot = m_slots[i];
        if (!slot.valid) {
            victim = &slot;
            break;
        }
        if (!victim || slot.last_use < victim->last_use)
            victim = &slot;
    }
    VERIFY(victim);
    if (victim->valid && victim->dirty)
        TRY(write_slot(*victim));
    victim->valid = false;
    victim->dirty = false;
    victim->block = block;
    victim->last_use = ++m_clock;
    return victim;
}

Result<u8*> BlockCache::get(u32 block)
{
    if (Slot* slot = find(block)) {
        ++m_hits;
        slot->last_use = ++m_clock;
        return slot->data;
    }
    ++m_misses;
    Slot* slot = TRY(take_slot(block));
    TRY(m_device.read(u64(block) * m_block_size, slot->data, m_block_size));
    slot->valid = true;
    return slot->data;
}

Result<u8*> BlockCache::get_zeroed(u32 block)
{
    Slot* slot = find(block);
    if (slot)
        slot->last_use = ++m_clock;
    else
        slot = TRY(take_slot(block));
    memset(slot->data, 0, m_block_size);
    slot->valid = true;
    slot->dirty = true;
    return slot->data;
}

void BlockCache::mark_dirty(u32 block)
{
    Slot* slot = find(block);
    VERIFY(slot);
    slot->dirty = true;
}

void BlockCache::forget(u32 block)
{
    if (Slot* slot = find(block)) {
        slot->valid = false;
        slot->dirty = false;
    }
}

usize BlockCache::drop_clean()
{
    usize dropped = 0;
    for (usize i = 0; i < m_capacity; ++i) {
        if (m_slots[i].valid && !m_slots[i].dirty) {
            m_slots[i].valid = false;
            ++dropped;
        }
    }
    return dropped;
}

Result<void> BlockCache::write_back_all()
{
    for (usize i = 0; i < m_capacity; ++i) {
        if (m_slots[i].valid && m_slots[i].dirty)
            TRY(write_slot(m_slots[i]));
    }
    return {};
}
