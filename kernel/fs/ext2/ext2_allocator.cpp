// Ext2Allocator: a first-fit search over the bitmaps, group by group, starting from a goal
// so that a file's blocks tend to be contiguous and a directory's files stay in its group.
#include "ext2_allocator.h"

u32 Ext2Allocator::find_clear_bit(u8 const* bitmap, u32 start, u32 end)
{
    for (u32 bit = start; bit < end; ++bit) {
        // Skip whole full bytes quickly.
        if ((bit & 7) == 0 && bit + 8 <= end && bitmap[bit / 8] == 0xFF) {
            bit += 7;
            continue;
        }
        if (!(bitmap[bit / 8] & (1u << (bit & 7))))
            return bit;
    }
    return end;
}

Result<u32> Ext2Allocator::allocate_block_in_group(u32 group, u32 start_bit)
{
    Ext2GroupDescriptor& gd = m_volume.group(group);
    if (gd.free_blocks_count == 0)
        return 0u;
    u32 count = m_volume.blocks_in_group(group);
    u32 bitmap_block = gd.block_bitmap;
    u8* bitmap = TRY(m_cache.get(bitmap_block));
    u32 bit = find_clear_bit(bitmap, start_bit, count);
    if (bit == count && start_bit > 0)
        bit = find_clear_bit(bitmap, 0, start_bit);
    if (bit >= count)
        return 0u; // the descriptor's count was wrong; don't trust it, try elsewhere
    bitmap[bit / 8] |= static_cast<u8>(1u << (bit & 7));
    m_cache.mark_dirty(bitmap_block);
    gd.free_blocks_count--;
    m_volume.superblock().free_blocks_count--;
    return m_volume.group_first_block(group) + bit;
}

Result<u32> Ext2Allocator::allocate_block(u32 goal)
{
    if (m_volume.read_only())
        return Errno::ReadOnlyFs;
    if (m_volume.superblock().free_blocks_count == 0)
        return Errno::NoSpace;
    if (!m_volume.is_valid_data_block(goal))
        goal = m_volume.superblock().first_data_block;
    u32 first_group = m_volume.group_of_block(goal);
    u32 start_bit = goal - m_volume.group_first_block(first_group);
    for (u32 i = 0; i < m_volume.group_count(); ++i) {
        u32 group = (first_group + i) % m_volume.group_count();
        u32 block = TRY(allocate_block_in_group(group, i == 0 ? start_bit : 0));
        if (block)
            return block;
    }
    return Errno::NoSpace;
}

Result<void> Ext2Allocator::free_block(u32 block)
{
    if (!m_volume.is_valid_data_block(block))
        return Errno::IoError; // a corrupt pointer; refuse rather than clear a random bit
    m_cache.forget(block);
    u32 group = m_volume.group_of_block(block);
    u32 bit = block - m_volume.group_first_block(group);
    Ext2GroupDescriptor& gd = m_volume.group(group);
    u8* bitmap = TRY(m_cache.get(gd.block_bitmap));
    u8 mask = static_cast<u8>(1u << (bit & 7));
    if (!(bitmap[bit / 8] & mask))
        return Errno::IoError; // double free: the image is inconsistent
    bitmap[bit / 8] &= static_cast<u8>(~mask);
    m_cache.mark_dirty(gd.block_bitmap);
    gd.free_blocks_count++;
    m_volume.superblock().free_blocks_count++;
    return {};
}

Result<u32> Ext2Allocator::allocate_inode(u32 parent, bool is_directory)
{
    if (m_volume.read_only())
        return Errno::ReadOnlyFs;
    if (m_volume.superblock().free_inodes_count == 0)
        return Errno::NoSpace;
    u32 groups = m_volume.group_count();
    u32 first_group = m_volume.is_valid_inode(parent) ? m_volume.group_of_inode(parent) : 0;
    if (is_directory) {
        // Spread directories: the group with the most free inodes (ties: the parent's).
        u32 best = first_group;
        for (u32 g = 0; g < groups; ++g) {
            if (m_volume.group(g).free_inodes_count > m_volume.group(best).free_inodes_count)
                best = g;
        }
        first_group = best;
    }
    u32 per_group = m_volume.superblock().inodes_per_group;
    for (u32 i = 0; i < groups; ++i) {
        u32 group = (first_group + i) % groups;
        Ext2GroupDescriptor& gd = m_volume.group(group);
        if (gd.free_inodes_count == 0)
            continue;
        u8* bitmap = TRY(m_cache.get(gd.inode_bitmap));
        // Reserved inodes (below first_ino) live in group 0 and are never handed out.
        u32 start = group == 0 ? m_volume.first_inode() - 1 : 0;
        u32 end = per_group;
        if (u64(group) * per_group + end > m_volume.superblock().inodes_count)
            end = m_volume.superblock().inodes_count - group * per_group;
        u32 bit = find_clear_bit(bitmap, start, end);
        if (bit >= end)
            continue;
        bitmap[bit / 8] |= static_cast<u8>(1u << (bit & 7));
        m_cache.mark_dirty(gd.inode_bitmap);
        gd.free_inodes_count--;
        if (is_directory)
            gd.used_dirs_count++;
        m_volume.superblock().free_inodes_count--;
        return group * per_group + bit + 1;
    }
    return Errno::NoSpace;
}

Result<void> Ext2Allocator::free_inode(u32 inode, bool is_directory)
{
    if (!m_volume.is_valid_inode(inode) || inode < m_volume.first_inode())
        return Errno::Invalid;
    u32 group = m_volume.group_of_inode(inode);
    u32 bit = (inode - 1) % m_volume.superblock().inodes_per_group;
    Ext2GroupDescriptor& gd = m_volume.group(group);
    u8* bitmap = TRY(m_cache.get(gd.inode_bitmap));
    u8 mask = static_cast<u8>(1u << (bit & 7));
    if (!(bitmap[bit / 8] & mask))
        return Errno::IoError;
    bitmap[bit / 8] &= static_cast<u8>(~mask);
    m_cache.mark_dirty(gd.inode_bitmap);
    gd.free_inodes_count++;
    if (is_directory && gd.used_dirs_count > 0)
        gd.used_dirs_count--;
    m_volume.superblock().free_inodes_count++;
    return {};
}
