// Ext2Directory: the linear directory format. A directory's blocks hold a chain of entries
// (inode, rec_len, name_len, file_type, name) whose rec_len values tile each block exactly;
// a deleted entry is absorbed into its predecessor's rec_len, or has inode 0 when it is the
// first of its block. New entries go into the slack of an existing entry, else into a new
// block appended to the directory.
#pragma once

#include "../../lib/function_ref.h"
#include "ext2_block_map.h"

// One entry for read_directory: name (not NUL-terminated), its length, the inode number and
// the getdents64 d_type. Returns false to stop; that entry is then reported again next time.
using Ext2DirectoryVisitor = FunctionRef<bool(char const* name, usize length, u32 inode, u8 type)>;

struct Ext2DirEntryLocation {
    u32 block; // disk block holding the entry
    u32 offset; // of the entry within the block
    u32 inode;
    u8 file_type;
};

class Ext2Directory {
public:
    Ext2Directory(Ext2Volume& volume, BlockCache& cache, Ext2InodeTable& inodes, Ext2BlockMap& map)
        : m_volume(volume), m_cache(cache), m_inodes(inodes), m_map(map)
    { }

    // The entry `name` in directory `directory`. NoEntry if absent; IoError on corruption.
    Result<Ext2DirEntryLocation> find(u32 directory, char const* name, usize length);
    // Adds `name` → `child`. The caller has checked the name is absent. May grow the
    // directory by a block (NoSpace when the disk is full). Updates mtime/ctime.
    Result<void> add(u32 directory, char const* name, usize length, u32 child, Ext2FileType type);
    // Removes `name`. NoEntry if absent. Updates mtime/ctime.
    Result<void> remove(u32 directory, char const* name, usize length);
    // Points the existing entry `name` at `inode` (rename over a target, moving "..").
    Result<void> retarget(u32 directory, char const* name, usize length, u32 inode, Ext2FileType type);
    // True when the directory holds nothing but "." and "..".
    Result<bool> is_empty(u32 directory);
    // Gives a new, empty directory inode its first block with "." and "..".
    Result<void> initialize(u32 directory, u32 parent);
    // Reports entries from byte position `cookie` on (0 = start), advancing `cookie`;
    // returns how many were reported. The cookie survives entries being added or removed.
    Result<usize> iterate(u32 directory, u64& cookie, Ext2DirectoryVisitor visitor);

private:
    struct Entry {
        u32 offset;
        Ext2DirEntryHeader header;
    };
    // Checks the entry at `offset` of a directory block; IoError if it is malformed.
    Result<Ext2DirEntryHeader> entry_at(u8 const* block, u32 offset) const;
    void write_entry(u8* block, u32 offset, u16 rec_len, u32 inode, char const* name, usize length, Ext2FileType type) const;
    Result<void> touch(u32 directory, Ext2DiskInode& record);
    u8 dirent_type(Ext2DirEntryHeader const& header);

    Ext2Volume& m_volume;
    BlockCache& m_cache;
    Ext2InodeTable& m_inodes;
    Ext2BlockMap& m_map;
};

constexpr bool ext2_is_dot_or_dot_dot(char const* name, usize length)
{
    return (length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.');
}
