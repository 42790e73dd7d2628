// Ext2Volume: mount-time validation. Everything that later code trusts about the geometry
// (sizes are powers of two, groups fit their bitmaps, metadata lies inside the disk) is
// checked here once, so a corrupt image is refused with Invalid instead of crashing later.
#include "ext2_volume.h"
#include "../../lib/memory.h"
#include <new>

Ext2Volume::Ext2Volume(BlockDevice& device, Ext2Clock clock) : m_device(device), m_clock(clock) { }

Ext2Volume::~Ext2Volume() { delete[] m_group_table; }

u32 Ext2Volume::blocks_in_group(u32 group) const
{
    u32 first = group_first_block(group);
    u32 end = first + m_superblock.blocks_per_group;
    if (end > m_superblock.blocks_count || end < first)
        end = m_superblock.blocks_count;
    return end - first;
}

Result<void> Ext2Volume::load(Ext2MountMode mode)
{
    TRY(m_device.read(EXT2_SUPERBLOCK_OFFSET, reinterpret_cast<u8*>(&m_superblock), sizeof m_superblock));
    Ext2Superblock const& sb = m_superblock;
    if (sb.magic != EXT2_MAGIC || sb.rev_level > 1 || sb.log_block_size > 2)
        return Errno::Invalid;
    m_block_size = 1024u << sb.log_block_size;
    if (sb.rev_level == 0) {
        m_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
        m_first_inode = EXT2_GOOD_OLD_FIRST_INODE;
    } else {
        m_inode_size = sb.inode_size;
        m_first_inode = sb.first_ino;
        if ((sb.feature_incompat & ~EXT2_INCOMPAT_FILETYPE) != 0)
            return Errno::Invalid;
        u32 known_ro = EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE;
        if ((sb.feature_ro_compat & ~known_ro) != 0 && mode == Ext2MountMode::ReadWrite)
            return Errno::ReadOnlyFs;
    }
    if (m_inode_size < EXT2_GOOD_OLD_INODE_SIZE || m_inode_size > m_block_size || (m_inode_size & (m_inode_size - 1)))
        return Errno::Invalid;
    if (m_first_inode <= EXT2_ROOT_INODE || m_first_inode > sb.inodes_count)
        return Errno::Invalid;
    if (sb.first_data_block != (m_block_size == 1024 ? 1u : 0u))
        return Errno::Invalid;
    if (sb.blocks_per_group == 0 || sb.blocks_per_group > 8 * m_block_size || sb.inodes_per_group == 0
        || sb.inodes_per_group > 8 * m_block_size || sb.blocks_count <= sb.first_data_block)
        return Errno::Invalid;
    if (u64(sb.blocks_count) * m_block_size > m_device.size_bytes())
        return Errno::Invalid;
    m_group_count = (sb.blocks_count - sb.first_data_block + sb.blocks_per_group - 1) / sb.blocks_per_group;
    if (u64(m_group_count) * sb.inodes_per_group < sb.inodes_count)
        return Errno::Invalid;
    m_read_only = mode == Ext2MountMode::ReadOnly;

    u64 table_bytes = u64(m_group_count) * sizeof(Ext2GroupDescriptor);
    m_group_table_blocks = static_cast<u32>((table_bytes + m_block_size - 1) / m_block_size);
    m_group_table = new (std::nothrow) u8[u64(m_group_table_blocks) * m_block_size];
    if (!m_group_table)
        return Errno::NoMemory;
    u64 table_offset = u64(sb.first_data_block + 1) * m_block_size;
    TRY(m_device.read(table_offset, m_group_table, u64(m_group_table_blocks) * m_block_size));
    m_groups = reinterpret_cast<Ext2GroupDescriptor*>(m_group_table);
    return validate_groups();
}

Result<void> Ext2Volume::validate_groups()
{
    u32 inode_table_blocks = (m_superblock.inodes_per_group * m_inode_size + m_block_size - 1) / m_block_size;
    for (u32 g = 0; g < m_group_count; ++g) {
        Ext2GroupDescriptor const& gd = m_groups[g];
        if (!is_valid_data_block(gd.block_bitmap) || !is_valid_data_block(gd.inode_bitmap) || !is_valid_data_block(gd.inode_table)
            || gd.inode_table + inode_table_blocks > m_superblock.blocks_count)
            return Errno::Invalid;
    }
    return {};
}

Result<void> Ext2Volume::write_back()
{
    m_superblock.wtime = now();
    TRY(m_device.write(EXT2_SUPERBLOCK_OFFSET, reinterpret_cast<u8 const*>(&m_superblock), sizeof m_superblock));
    u64 table_offset = u64(m_superblock.first_data_block + 1) * m_block_size;
    return m_device.write(table_offset, m_group_table, u64(m_group_table_blocks) * m_block_size);
}

Result<void> Ext2Volume::set_mode(Ext2MountMode mode)
{
    u32 known_ro = EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE;
    if ((m_superblock.feature_ro_compat & ~known_ro) != 0 && mode == Ext2MountMode::ReadWrite)
        return Errno::ReadOnlyFs;
    m_read_only = mode == Ext2MountMode::ReadOnly;
    return {};
}
