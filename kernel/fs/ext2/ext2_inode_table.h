// Ext2InodeTable: reads and writes inode records in the groups' inode tables, through the
// block cache. Callers work on a copy (read, change, write), and never keep a copy across a
// call that might change the same inode.
#pragma once

#include "block_cache.h"
#include "ext2_volume.h"

class Ext2InodeTable {
public:
    Ext2InodeTable(Ext2Volume& volume, BlockCache& cache) : m_volume(volume), m_cache(cache) { }

    // The record of `inode`. Invalid if the number is out of range.
    Result<Ext2DiskInode> read(u32 inode);
    // Stores `record` (its first min(inode_size, 160) bytes; in-inode xattrs beyond survive).
    Result<void> write(u32 inode, Ext2DiskInode const& record);
    // Zeroes the whole on-disk record of a newly allocated inode, then stores `record`.
    Result<void> write_new(u32 inode, Ext2DiskInode const& record);

private:
    Result<u8*> locate(u32 inode, u32& block);

    Ext2Volume& m_volume;
    BlockCache& m_cache;
};

// 64-bit size of an inode (size_high holds the upper bits only for regular files).
inline u64 ext2_inode_size(Ext2DiskInode const& inode)
{
    u64 size = inode.size;
    if (ext2_is_regular(inode.mode))
        size |= u64(inode.size_high) << 32;
    return size;
}

inline void ext2_set_inode_size(Ext2DiskInode& inode, u64 size)
{
    inode.size = static_cast<u32>(size);
    if (ext2_is_regular(inode.mode))
        inode.size_high = static_cast<u32>(size >> 32);
}
