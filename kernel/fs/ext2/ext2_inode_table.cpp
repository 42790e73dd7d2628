// Ext2InodeTable: inode n lives in group (n-1) / inodes_per_group, at index
// (n-1) % inodes_per_group of that group's inode table, inode_size bytes each.
#include "ext2_inode_table.h"
#include "../../lib/memory.h"

Result<u8*> Ext2InodeTable::locate(u32 inode, u32& block)
{
    if (!m_volume.is_valid_inode(inode))
        return Errno::Invalid;
    u32 index = (inode - 1) % m_volume.superblock().inodes_per_group;
    u64 byte = u64(index) * m_volume.inode_size();
    block = m_volume.group(m_volume.group_of_inode(inode)).inode_table + static_cast<u32>(byte / m_volume.block_size());
    u8* data = TRY(m_cache.get(block));
    return data + byte % m_volume.block_size();
}

Result<Ext2DiskInode> Ext2InodeTable::read(u32 inode)
{
    u32 block;
    u8* record = TRY(locate(inode, block));
    Ext2DiskInode result {};
    memcpy(&result, record, min<usize>(m_volume.inode_size(), sizeof result));
    if (m_volume.inode_size() <= EXT2_GOOD_OLD_INODE_SIZE)
        result.extra_isize = 0;
    return result;
}

Result<void> Ext2InodeTable::write(u32 inode, Ext2DiskInode const& record)
{
    if (m_volume.read_only())
        return Errno::ReadOnlyFs;
    u32 block;
    u8* data = TRY(locate(inode, block));
    memcpy(data, &record, min<usize>(m_volume.inode_size(), sizeof record));
    m_cache.mark_dirty(block);
    return {};
}

Result<void> Ext2InodeTable::write_new(u32 inode, Ext2DiskInode const& record)
{
    if (m_volume.read_only())
        return Errno::ReadOnlyFs;
    u32 block;
    u8* data = TRY(locate(inode, block));
    memset(data, 0, m_volume.inode_size());
    memcpy(data, &record, min<usize>(m_volume.inode_size(), sizeof record));
    m_cache.mark_dirty(block);
    return {};
}
