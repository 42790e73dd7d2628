// The ext2 on-disk format: superblock, group descriptor, inode and directory entry exactly as
// they lie on disk (little-endian, which x86_64 is), plus the constants the code needs.
// Field names follow the ext2 specification without the s_/bg_/i_ prefixes.
#pragma once

#include "../../lib/types.h"

constexpr u16 EXT2_MAGIC = 0xEF53;
constexpr u64 EXT2_SUPERBLOCK_OFFSET = 1024;
constexpr u32 EXT2_ROOT_INODE = 2;
constexpr u32 EXT2_GOOD_OLD_FIRST_INODE = 11;
constexpr u32 EXT2_GOOD_OLD_INODE_SIZE = 128;
constexpr u32 EXT2_DIRECT_BLOCKS = 12;
constexpr u32 EXT2_INDIRECT_SLOT = 12;
constexpr u32 EXT2_DOUBLE_INDIRECT_SLOT = 13;
constexpr u32 EXT2_TRIPLE_INDIRECT_SLOT = 14;
constexpr u32 EXT2_BLOCK_SLOTS = 15;
constexpr usize EXT2_FAST_SYMLINK_MAX = 59; // i_block holds 60 bytes; keep a NUL
constexpr usize EXT2_NAME_MAX = 255;
constexpr u16 EXT2_LINK_MAX = 32000;

// s_state
constexpr u16 EXT2_STATE_VALID = 1;
constexpr u16 EXT2_STATE_ERRORS = 2;

// Feature bits this implementation knows about.
constexpr u32 EXT2_INCOMPAT_FILETYPE = 0x0002;
constexpr u32 EXT2_RO_COMPAT_SPARSE_SUPER = 0x0001;
constexpr u32 EXT2_RO_COMPAT_LARGE_FILE = 0x0002;
constexpr u32 EXT2_COMPAT_DIR_INDEX = 0x0020;

// i_flags
constexpr u32 EXT2_INDEX_FL = 0x1000; // hashed directory; we only do linear directories

// i_mode
constexpr u16 EXT2_S_IFMT = 0xF000;
constexpr u16 EXT2_S_IFSOCK = 0xC000;
constexpr u16 EXT2_S_IFLNK = 0xA000;
constexpr u16 EXT2_S_IFREG = 0x8000;
constexpr u16 EXT2_S_IFBLK = 0x6000;
constexpr u16 EXT2_S_IFDIR = 0x4000;
constexpr u16 EXT2_S_IFCHR = 0x2000;
constexpr u16 EXT2_S_IFIFO = 0x1000;

// Directory entry file_type (with the FILETYPE feature).
enum class Ext2FileType : u8 {
    Unknown = 0,
    Regular = 1,
    Directory = 2,
    CharDevice = 3,
    BlockDevice = 4,
    Fifo = 5,
    Socket = 6,
    Symlink = 7,
};

struct Ext2Superblock {
    u32 inodes_count;
    u32 blocks_count;
    u32 r_blocks_count;
    u32 free_blocks_count;
    u32 free_inodes_count;
    u32 first_data_block;
    u32 log_block_size;
    u32 log_frag_size;
    u32 blocks_per_group;
    u32 frags_per_group;
    u32 inodes_per_group;
    u32 mtime;
    u32 wtime;
    u16 mnt_count;
    i16 max_mnt_count;
    u16 magic;
    u16 state;
    u16 errors;
    u16 minor_rev_level;
    u32 lastcheck;
    u32 checkinterval;
    u32 creator_os;
    u32 rev_level;
    u16 def_resuid;
    u16 def_resgid;
    // Revision 1 (dynamic) only.
    u32 first_ino;
    u16 inode_size;
    u16 block_group_nr;
    u32 feature_compat;
    u32 feature_incompat;
    u32 feature_ro_compat;
    u8 uuid[16];
    char volume_name[16];
    char last_mounted[64];
    u32 algo_bitmap;
    u8 rest[1024 - 204];
};
static_assert(sizeof(Ext2Superblock) == 1024);

struct Ext2GroupDescriptor {
    u32 block_bitmap;
    u32 inode_bitmap;
    u32 inode_table;
    u16 free_blocks_count;
    u16 free_inodes_count;
    u16 used_dirs_count;
    u16 pad;
    u8 reserved[12];
};
static_assert(sizeof(Ext2GroupDescriptor) == 32);

// The 128-byte inode of revision 0, followed by the part of the large-inode extension we
// initialise (i_extra_isize and the extra timestamps); only min(inode_size, sizeof) bytes of
// it are ever read from or written to the inode table, so in-inode xattrs stay untouched.
struct Ext2DiskInode {
    u16 mode;
    u16 uid;
    u32 size;
    u32 atime;
    u32 ctime;
    u32 mtime;
    u32 dtime;
    u16 gid;
    u16 links_count;
    u32 blocks; // in 512-byte sectors, indirect blocks included
    u32 flags;
    u32 osd1;
    u32 block[EXT2_BLOCK_SLOTS];
    u32 generation;
    u32 file_acl;
    u32 size_high; // dir_acl in revision 0; the upper size bits of regular files
    u32 faddr;
    u8 frag;
    u8 fsize;
    u16 pad1;
    u16 uid_high;
    u16 gid_high;
    u32 reserved2;
    // Large inodes (inode_size > 128).
    u16 extra_isize;
    u16 checksum_hi;
    u32 ctime_extra;
    u32 mtime_extra;
    u32 atime_extra;
    u32 crtime;
    u32 crtime_extra;
    u32 version_hi;
    u32 projid;
};
static_assert(sizeof(Ext2DiskInode) == 160);
constexpr u16 EXT2_NEW_EXTRA_ISIZE = sizeof(Ext2DiskInode) - EXT2_GOOD_OLD_INODE_SIZE;

// A directory entry's fixed header; the name follows, padded to 4 bytes. Without the
// FILETYPE feature name_len is 16 bits wide; names are at most 255 bytes, so reading the low
// byte and writing file_type = 0 is correct for both layouts.
struct Ext2DirEntryHeader {
    u32 inode;
    u16 rec_len;
    u8 name_len;
    u8 file_type;
};
static_assert(sizeof(Ext2DirEntryHeader) == 8);

constexpr u32 ext2_dir_entry_size(usize name_length) { return static_cast<u32>((8 + name_length + 3) & ~usize(3)); }

constexpr bool ext2_is_directory(u16 mode) { return (mode & EXT2_S_IFMT) == EXT2_S_IFDIR; }
constexpr bool ext2_is_regular(u16 mode) { return (mode & EXT2_S_IFMT) == EXT2_S_IFREG; }
constexpr bool ext2_is_symlink(u16 mode) { return (mode & EXT2_S_IFMT) == EXT2_S_IFLNK; }

constexpr Ext2FileType ext2_file_type_of_mode(u16 mode)
{
    switch (mode & EXT2_S_IFMT) {
    case EXT2_S_IFREG:
        return Ext2FileType::Regular;
    case EXT2_S_IFDIR:
        return Ext2FileType::Directory;
    case EXT2_S_IFCHR:
        return Ext2FileType::CharDevice;
    case EXT2_S_IFBLK:
        return Ext2FileType::BlockDevice;
    case EXT2_S_IFIFO:
        return Ext2FileType::Fifo;
    case EXT2_S_IFSOCK:
        return Ext2FileType::Socket;
    case EXT2_S_IFLNK:
        return Ext2FileType::Symlink;
    default:
        return Ext2FileType::Unknown;
    }
}

// getdents64's d_type for a mode (DT_* numbers are the mode's type bits shifted down).
constexpr u8 ext2_dirent_type_of_mode(u16 mode) { return static_cast<u8>((mode & EXT2_S_IFMT) >> 12); }
