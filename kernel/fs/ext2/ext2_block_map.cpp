// Ext2BlockMap: walking, filling and pruning the indirect-block tree. Cache pointers are
// re-fetched after every call that may touch the cache (allocation reads bitmaps), because
// such a call can evict the block we were looking at.
#include "ext2_block_map.h"

u64 Ext2BlockMap::max_blocks() const
{
    u64 p = m_volume.pointers_per_block();
    return EXT2_DIRECT_BLOCKS + p + p * p + p * p * p;
}

Result<Ext2BlockMap::Path> Ext2BlockMap::path_of(u64 file_block) const
{
    u64 p = m_volume.pointers_per_block();
    if (file_block < EXT2_DIRECT_BLOCKS)
        return Path { 0, static_cast<u32>(file_block), { 0, 0, 0 } };
    file_block -= EXT2_DIRECT_BLOCKS;
    if (file_block < p)
        return Path { 1, EXT2_INDIRECT_SLOT, { static_cast<u32>(file_block), 0, 0 } };
    file_block -= p;
    if (file_block < p * p)
        return Path { 2, EXT2_DOUBLE_INDIRECT_SLOT, { static_cast<u32>(file_block / p), static_cast<u32>(file_block % p), 0 } };
    file_block -= p * p;
    if (file_block < p * p * p)
        return Path { 3, EXT2_TRIPLE_INDIRECT_SLOT,
            { static_cast<u32>(file_block / (p * p)), static_cast<u32>(file_block / p % p), static_cast<u32>(file_block % p) } };
    return Errno::FileTooBig;
}

Result<u32> Ext2BlockMap::read_pointer(u32 block, u32 index)
{
    u8* data = TRY(m_cache.get(block));
    u32 value = reinterpret_cast<u32 const*>(data)[index];
    if (value != 0 && !m_volume.is_valid_data_block(value))
        return Errno::IoError;
    return value;
}

Result<void> Ext2BlockMap::write_pointer(u32 block, u32 index, u32 value)
{
    u8* data = TRY(m_cache.get(block));
    reinterpret_cast<u32*>(data)[index] = value;
    m_cache.mark_dirty(block);
    return {};
}

Result<u32> Ext2BlockMap::lookup(Ext2DiskInode const& inode, u64 file_block)
{
    Path path = TRY(path_of(file_block));
    u32 block = inode.block[path.slot];
    for (u32 level = 0; level < path.depth && block != 0; ++level) {
        if (!m_volume.is_valid_data_block(block))
            return Errno::IoError;
        block = TRY(read_pointer(block, path.index[level]));
    }
    if (block != 0 && !m_volume.is_valid_data_block(block))
        return Errno::IoError;
    return block;
}

Result<u32> Ext2BlockMap::lookup_or_allocate(Ext2DiskInode& inode, u32 inode_number, u64 file_block, bool& allocated)
{
    allocated = false;
    Path path = TRY(path_of(file_block));
    u32 goal = m_volume.group_first_block(m_volume.group_of_inode(inode_number));
    u32 sectors = m_volume.sectors_per_block();

    u32 current = inode.block[path.slot];
    if (current == 0) {
        if (path.slot > 0 && inode.block[path.slot - 1] != 0)
            goal = inode.block[path.slot - 1] + 1;
        current = TRY(m_allocator.allocate_block(goal));
        inode.block[path.slot] = current;
        inode.blocks += sectors;
        if (path.depth == 0)
            allocated = true;
        else
            TRY(m_cache.get_zeroed(current));
    } else if (!m_volume.is_valid_data_block(current)) {
        return Errno::IoError;
    }

    for (u32 level = 0; level < path.depth; ++level) {
        u32 index = path.index[level];
        u32 entry = TRY(read_pointer(current, index));
        if (entry == 0) {
            u32 previous = index > 0 ? TRY(read_pointer(current, index - 1)) : 0;
            entry = TRY(m_allocator.allocate_block(previous ? previous + 1 : current + 1));
            TRY(write_pointer(current, index, entry));
            inode.blocks += sectors;
            if (level + 1 < path.depth)
                TRY(m_cache.get_zeroed(entry));
            else
                allocated = true;
        }
        current = entry;
    }
    return current;
}

Result<void> Ext2BlockMap::release(Ext2DiskInode& inode, u32 block)
{
    TRY(m_allocator.free_block(block));
    inode.blocks -= min(inode.blocks, m_volume.sectors_per_block());
    return {};
}

Result<bool> Ext2BlockMap::truncate_tree(Ext2DiskInode& inode, u32 block, u32 depth, u64 from)
{
    if (!m_volume.is_valid_data_block(block))
        return Errno::IoError;
    u64 p = m_volume.pointers_per_block();
    u64 child_span = 1;
    for (u32 i = 1; i < depth; ++i)
        child_span *= p;
    bool any_left = false;
    for (u32 i = 0; i < p; ++i) {
        u32 entry = TRY(read_pointer(block, i));
        if (entry == 0)
            continue;
        u64 start = i * child_span;
        if (start + child_span <= from) {
            any_left = true;
            continue;
        }
        bool freed = true;
        if (depth == 1)
            TRY(release(inode, entry));
        else
            freed = TRY(truncate_tree(inode, entry, depth - 1, from > start ? from - start : 0));
        if (!freed)
            any_left = true;
        else if (from > 0) // with from == 0 the whole block goes; no need to clear entries
            TRY(write_pointer(block, i, 0));
    }
    if (any_left)
        return false;
    TRY(release(inode, block));
    return true;
}

Result<void> Ext2BlockMap::truncate(Ext2DiskInode& inode, u64 first_freed)
{
    for (u32 i = 0; i < EXT2_DIRECT_BLOCKS; ++i) {
        if (i >= first_freed && inode.block[i] != 0) {
            TRY(release(inode, inode.block[i]));
            inode.block[i] = 0;
        }
    }
    u64 p = m_volume.pointers_per_block();
    u64 base = EXT2_DIRECT_BLOCKS;
    u64 span = p;
    for (u32 depth = 1; depth <= 3; ++depth) {
        u32 slot = EXT2_DIRECT_BLOCKS + depth - 1;
        if (inode.block[slot] != 0 && first_freed < base + span) {
            bool freed = TRY(truncate_tree(inode, inode.block[slot], depth, first_freed > base ? first_freed - base : 0));
            if (freed)
                inode.block[slot] = 0;
        }
        base += span;
        span *= p;
    }
    return {};
}
