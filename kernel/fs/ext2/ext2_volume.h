// Ext2Volume: the superblock and the group-descriptor table of a mounted ext2 file system,
// validated at mount and kept in memory; every other part asks it for the geometry (block
// size, groups, where an inode lives). Both are written back by write_back() at sync time.
#pragma once

#include "../../dev/block_device.h"
#include "../../lib/result.h"
#include "ext2_layout.h"

// Seconds since the epoch, for inode and superblock times. The kernel passes its clock;
// tests pass a fixed or counting one. May be null (times are then 0).
using Ext2Clock = u32 (*)();

enum class Ext2MountMode {
    ReadWrite,
    ReadOnly,
};

class Ext2Volume {
public:
    explicit Ext2Volume(BlockDevice& device, Ext2Clock clock);
    ~Ext2Volume();
    Ext2Volume(Ext2Volume const&) = delete;
    Ext2Volume& operator=(Ext2Volume const&) = delete;

    // Reads and validates the superblock and group descriptors. Invalid for a bad magic,
    // revision, block size or an unsupported INCOMPAT feature; ReadOnlyFs when `mode` is
    // ReadWrite and an unknown RO_COMPAT feature is set; IoError/NoMemory as they come.
    Result<void> load(Ext2MountMode mode);
    // Writes the superblock and the group-descriptor table (primary copies only, as Linux).
    Result<void> write_back();

    BlockDevice& device() { return m_device; }
    Ext2Superblock& superblock() { return m_superblock; }
    Ext2GroupDescriptor& group(u32 index) { return m_groups[index]; }
    u32 group_count() const { return m_group_count; }
    u32 block_size() const { return m_block_size; }
    u32 inode_size() const { return m_inode_size; }
    u32 first_inode() const { return m_first_inode; }
    u32 pointers_per_block() const { return m_block_size / 4; }
    u32 sectors_per_block() const { return m_block_size / 512; }
    bool has_file_type() const { return m_superblock.feature_incompat & EXT2_INCOMPAT_FILETYPE; }
    bool read_only() const { return m_read_only; }
    // A remount: ReadOnlyFs for read-write when an unknown RO_COMPAT feature is set.
    Result<void> set_mode(Ext2MountMode);
    u32 now() const { return m_clock ? m_clock() : 0; }

    // First block of group `group` and the number of blocks it has (the last may be short).
    u32 group_first_block(u32 group) const { return m_superblock.first_data_block + group * m_superblock.blocks_per_group; }
    u32 blocks_in_group(u32 group) const;
    u32 group_of_block(u32 block) const { return (block - m_superblock.first_data_block) / m_superblock.blocks_per_group; }
    u32 group_of_inode(u32 inode) const { return (inode - 1) / m_superblock.inodes_per_group; }
    bool is_valid_inode(u32 inode) const { return inode >= 1 && inode <= m_superblock.inodes_count; }
    bool is_valid_data_block(u32 block) const
    {
        return block >= m_superblock.first_data_block && block < m_superblock.blocks_count;
    }

private:
    Result<void> validate_groups();

    BlockDevice& m_device;
    Ext2Clock m_clock;
    Ext2Superblock m_superblock {};
    Ext2GroupDescriptor* m_groups { nullptr };
    u8* m_group_table { nullptr }; // whole blocks, as on disk
    u32 m_group_table_blocks { 0 };
    u32 m_group_count { 0 };
    u32 m_block_size { 0 };
    u32 m_inode_size { 0 };
    u32 m_first_inode { 0 };
    bool m_read_only { false };
};
