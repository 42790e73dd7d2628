// Ext2BlockMap: which disk block holds block n of a file. i_block[0..11] point at data,
// i_block[12] at a block of pointers, [13] at a block of pointers to such blocks, [14] one
// level deeper (see docs/ext2.md). Indirect blocks go through the block cache; i_blocks
// counts them along with the data blocks, in 512-byte sectors.
#pragma once

#include "ext2_allocator.h"
#include "ext2_inode_table.h"

class Ext2BlockMap {
public:
    Ext2BlockMap(Ext2Volume& volume, BlockCache& cache, Ext2Allocator& allocator)
        : m_volume(volume), m_cache(cache), m_allocator(allocator)
    { }

    // The disk block holding file block `file_block` of `inode`, or 0 for a hole. FileTooBig
    // past the triple-indirect range; IoError for a pointer outside the disk.
    Result<u32> lookup(Ext2DiskInode const& inode, u64 file_block);
    // Like lookup, but fills a hole: allocates the data block and any missing indirect
    // blocks near the file's other blocks, updating `inode` (block[], blocks) in memory only.
    // The caller writes `inode` back, also on error (blocks may have been attached).
    // `allocated` says whether the data block is new (its contents are then undefined).
    Result<u32> lookup_or_allocate(Ext2DiskInode& inode, u32 inode_number, u64 file_block, bool& allocated);
    // Frees every data block at index >= `first_freed` and the indirect blocks left empty,
    // updating `inode` in memory only (the caller writes it back, also on error).
    Result<void> truncate(Ext2DiskInode& inode, u64 first_freed);
    // The number of blocks a file can address.
    u64 max_blocks() const;

private:
    struct Path {
        u32 depth; // 0 for a direct block, 1..3 for the indirection levels
        u32 slot; // index into i_block
        u32 index[3];
    };
    Result<Path> path_of(u64 file_block) const;
    Result<u32> read_pointer(u32 block, u32 index);
    Result<void> write_pointer(u32 block, u32 index, u32 value);
    // Frees the part of the subtree under indirect `block` (depth levels) from relative
    // index `from` on; true when the whole subtree, `block` included, was freed.
    Result<bool> truncate_tree(Ext2DiskInode& inode, u32 block, u32 depth, u64 from);
    Result<void> release(Ext2DiskInode& inode, u32 block);

    Ext2Volume& m_volume;
    BlockCache& m_cache;
    Ext2Allocator& m_allocator;
};
