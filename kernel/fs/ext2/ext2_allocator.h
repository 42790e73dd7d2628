// Ext2Allocator: blocks and inodes, taken from and returned to the bitmaps. Every change
// updates three records together — the bitmap bit, the group descriptor's free count (and
// used_dirs_count for directories) and the superblock's free count — so they never disagree
// and e2fsck's pass 5 finds nothing to fix.
#pragma once

#include "block_cache.h"
#include "ext2_volume.h"

class Ext2Allocator {
public:
    Ext2Allocator(Ext2Volume& volume, BlockCache& cache) : m_volume(volume), m_cache(cache) { }

    // Allocates one block, the first free one at or after `goal` (wrapping around the
    // disk). The block's contents are whatever was there. NoSpace when the disk is full.
    Result<u32> allocate_block(u32 goal);
    // Returns `block` to the free pool and drops any cached copy of it.
    Result<void> free_block(u32 block);
    // Allocates an inode near `parent` (in its group for files; for directories the group with
    // the most free inodes, to spread the tree). NoSpace when none is free.
    Result<u32> allocate_inode(u32 parent, bool is_directory);
    // Returns `inode` to the free pool; `is_directory` keeps used_dirs_count right.
    Result<void> free_inode(u32 inode, bool is_directory);

private:
    // The first clear bit in [start, end) of a bitmap block, or `end`.
    static u32 find_clear_bit(u8 const* bitmap, u32 start, u32 end);
    Result<u32> allocate_block_in_group(u32 group, u32 start_bit);

    Ext2Volume& m_volume;
    BlockCache& m_cache;
};
