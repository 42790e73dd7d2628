// BlockCache: a small write-back cache of file-system metadata blocks (bitmaps, inode table
// blocks, indirect blocks, directory blocks). File data never goes through it: read_page and
// write_page talk to the device directly, which is why a block must be forgotten when it is
// freed (a stale dirty copy would otherwise overwrite the block's next owner).
//
// Pointers returned by get() stay valid only until the next call into the cache; callers
// copy what they need or finish with the block first. Dirty blocks reach the device when
// evicted (least recently used) or on flush().
#pragma once

#include "../../dev/block_device.h"
#include "../../lib/result.h"
#include "../../lib/types.h"

class BlockCache {
public:
    static constexpr usize DEFAULT_CAPACITY = 64;

    explicit BlockCache(BlockDevice& device) : m_device(device) { }
    ~BlockCache();
    BlockCache(BlockCache const&) = delete;
    BlockCache& operator=(BlockCache const&) = delete;

    // Allocates `capacity` slots of `block_size` bytes. NoMemory on failure; must succeed
    // before any other call.
    Result<void> initialize(u32 block_size, usize capacity = DEFAULT_CAPACITY);

    // The bytes of `block`, read from the device on a miss. Valid until the next cache call.
    Result<u8*> get(u32 block);
    // The bytes of `block` zero-filled and marked dirty, without reading the device: for
    // blocks just allocated as metadata.
    Result<u8*> get_zeroed(u32 block);
    // Marks a cached block as modified; it must be in the cache (the caller just got it).
    void mark_dirty(u32 block);
    // Drops `block` without writing it: the block was freed or is about to be written as
    // file data by someone else.
    void forget(u32 block);
    // Writes every dirty block to the device (does not flush the device itself).
    Result<void> write_back_all();
    // Forgets every clean block (the next get() reads it again), keeps the dirty ones; says
    // how many it forgot. For /proc/sys/vm/drop_caches.
    usize drop_clean();

    u64 hits() const { return m_hits; }
    u64 misses() const { return m_misses; }

private:
    struct Slot {
        u32 block { 0 };
        bool valid { false };
        bool dirty { false };
        u64 last_use { 0 };
        u8* data { nullptr };
    };

    Slot* find(u32 block);
    Result<Slot*> take_slot(u32 block);
    Result<void> write_slot(Slot&);

    BlockDevice& m_device;
    u32 m_block_size { 0 };
    Slot* m_slots { nullptr };
    usize m_capacity { 0 };
    u8* m_memory { nullptr };
    u64 m_clock { 0 };
    u64 m_hits { 0 };
    u64 m_misses { 0 };
};
