// Ext2FileSystem: a mounted ext2 volume, addressed by inode numbers. The VFS wraps each
// inode number in its own Inode object; regular files' bytes move page by page between the
// page cache and read_page/write_page. Metadata (bitmaps, inode tables, directories,
// indirect blocks) is cached here and reaches the disk at sync() or unmount().
//
// Lifetimes: unlink, rmdir and rename-over only drop link counts; an inode whose count
// reaches 0 is freed (blocks and all) by release_inode(), which the VFS calls when the last
// open reference goes — at once if there is none. unmount() frees any still pending.
// Locking: callers hold the kernel lock, which a disk wait keeps (docs/locking.md), so one
// operation never interleaves with another even when it sleeps.
#pragma once

#include "../../lib/device_number.h"
#include "../../lib/own_ptr.h"
#include "../../mm/pager.h"
#include "block_cache.h"
#include "ext2_allocator.h"
#include "ext2_block_map.h"
#include "ext2_directory.h"
#include "ext2_inode_table.h"
#include "ext2_volume.h"

struct Ext2InodeInfo {
    u32 inode;
    u16 mode; // type and permission bits, as st_mode
    u16 links;
    u32 uid;
    u32 gid;
    u64 size;
    u32 atime;
    u32 mtime;
    u32 ctime;
    u64 blocks; // 512-byte sectors, indirect blocks included (st_blocks)
    DeviceNumber device; // of a character or block device node (st_rdev)
};

// The times that reading, writing and changing names set to now.
enum class Ext2TimeUpdate {
    Access, // atime
    Modify, // mtime and ctime
    Change, // ctime
};

// Whose a new inode is (the VFS decides: the creator, or a set-group-ID directory's group).
struct Ext2Owner {
    u32 uid { 0 };
    u32 gid { 0 };
};

struct Ext2Statistics {
    u32 block_size;
    u64 blocks;
    u64 free_blocks;
    u64 available_blocks; // free minus those reserved for root
    u64 inodes;
    u64 free_inodes;
};

class Ext2FileSystem {
public:
    // Mounts the ext2 volume on `device` (see Ext2Volume::load for the errors). A read-write
    // mount marks the volume "not clean" on disk until unmount().
    static Result<OwnPtr<Ext2FileSystem>> mount(
        BlockDevice& device, Ext2MountMode mode = Ext2MountMode::ReadWrite, Ext2Clock clock = nullptr);
    // Does not write anything: call unmount() first to keep the volume's changes.
    ~Ext2FileSystem();

    u32 root_inode() const { return EXT2_ROOT_INODE; }
    u32 block_size() const { return m_volume.block_size(); }
    bool read_only() const { return m_volume.read_only(); }
    // Sizes and free counts for statfs(2), from the in-memory superblock.
    Ext2Statistics statistics();

    // Names. `name` is one path component (no '/'), `length` bytes, not NUL-terminated.
    // The inode number of `name` in `directory`. NoEntry, NotDirectory, NameTooLong.
    Result<u32> lookup(u32 directory, char const* name, usize length);
    // The inode's attributes. NoEntry for a free inode, Invalid for a number out of range.
    Result<Ext2InodeInfo> stat(u32 inode);
    // Reports entries (including "." and "..") from `cookie` on; see Ext2Directory::iterate.
    Result<usize> read_directory(u32 directory, u64& cookie, Ext2DirectoryVisitor visitor);

    // File data, one PAGE_SIZE page at a time. read_page fills `page`; holes and bytes past
    // the end of the file read as zeros.
    Result<void> read_page(u32 inode, u64 page_index, u8* page);
    // The same for `count` consecutive pages (read-ahead), in as few device requests as the
    // blocks allow, all in flight at once. On an error no page is to be trusted.
    Result<void> read_pages(u32 inode, u64 first_index, u8* const* pages, usize count);
    // Writes the first `valid_bytes` (1..PAGE_SIZE) of `page` at page_index * PAGE_SIZE,
    // allocating blocks as needed, and grows the size to cover them. The rest of the last
    // block is stored as zeros. NoSpace when the disk is full (what was allocated stays).
    Result<void> write_page(u32 inode, u64 page_index, u8 const* page, usize valid_bytes);
    // Allocates the blocks behind bytes [offset, offset+length) of a regular file now, as
    // ext2 does at write() time — so st_blocks counts them and a full disk fails the write()
    // (NoSpace) rather than the later write-back. The range must lie within the file's size;
    // the blocks' contents are undefined until their page is written back.
    Result<void> reserve_blocks(u32 inode, u64 offset, u64 length);
    // Writes `count` whole pages (ascending indices, not necessarily consecutive: one
    // write-back batch) like write_page, all in one device transfer: one request per run of
    // consecutive disk blocks, the requests in flight together, one wait.
    Result<void> write_pages(u32 inode, Pager::PageToWrite const* pages, usize count);
    // Truncates (freeing blocks past the end, indirect ones included) or extends (sparse).
    // The VFS drops its cached pages past the new end itself.
    Result<void> set_size(u32 inode, u64 size);

    // Namespace changes. Each returns NotDirectory when `directory` is not one, Exists when
    // the new name is taken, NoSpace when no inode or block is left.
    // A regular file, FIFO, socket, or (with `device`) a character or block device node.
    Result<u32> create(u32 directory, char const* name, usize length, u32 mode, Ext2Owner = {}, DeviceNumber device = {});
    Result<u32> mkdir(u32 directory, char const* name, usize length, u32 mode, Ext2Owner = {});
    // Removes an empty directory (NotEmpty otherwise); returns its inode for release_inode.
    Result<u32> rmdir(u32 directory, char const* name, usize length);
    // Removes a non-directory name (IsDirectory otherwise); returns its inode.
    Result<u32> unlink(u32 directory, char const* name, usize length);
    // Moves old_directory/old_name to new_directory/new_name, replacing a target as Linux
    // rename(2) does. Returns the replaced inode (for release_inode) or 0.
    Result<u32> rename(
        u32 old_directory, char const* old_name, usize old_length, u32 new_directory, char const* new_name, usize new_length);
    // A new name for the non-directory `inode` (NotPermitted for directories).
    Result<void> link(u32 inode, u32 directory, char const* name, usize length);
    // A symbolic link to `target` (stored in the inode when under 60 bytes).
    Result<u32> symlink(u32 directory, char const* name, usize length, char const* target, usize target_length, Ext2Owner = {});
    // Copies up to `capacity` bytes of the link's target; returns how many. Invalid if not a link.
    Result<usize> readlink(u32 inode, char* buffer, usize capacity);

    // Metadata setters; each also sets ctime to now.
    Result<void> chmod(u32 inode, u32 mode); // permission bits only; the type stays
    Result<void> chown(u32 inode, u32 uid, u32 gid);
    Result<void> set_times(u32 inode, u32 atime, u32 mtime);
    // Sets the times an update implies to now (no other attribute changes).
    Result<void> touch(u32 inode, Ext2TimeUpdate);

    // Frees `inode` if an unlink or rmdir took its last link; otherwise does nothing.
    Result<void> release_inode(u32 inode);
    // Writes all cached metadata, the group descriptors and the superblock, then flushes.
    Result<void> sync();
    // Forgets the clean cached metadata blocks (BlockCache::drop_clean); says how many.
    usize drop_clean_metadata() { return m_cache.drop_clean(); }
    // Frees pending unlinked inodes, marks the volume clean and syncs. Nothing may be
    // called afterwards except the destructor.
    Result<void> unmount();
    // mount(2) with MS_REMOUNT: read-write to read-only writes everything and marks the
    // volume clean as unmount does; read-only to read-write marks it in use as mount does.
    Result<void> remount(Ext2MountMode);

private:
    Ext2FileSystem(BlockDevice& device, Ext2Clock clock);
    Result<void> start(Ext2MountMode mode);

    Result<void> check_writable() const;
    // write_pages with one BlockPiece per page at hand (block size == PAGE_SIZE).
    Result<void> write_whole_pages(u32 inode, Pager::PageToWrite const* pages, usize count, BlockPiece* pieces);
    // A directory that can receive a new entry `name`: exists, not deleted, name free.
    Result<Ext2DiskInode> prepare_new_entry(u32 directory, char const* name, usize length);
    Ext2DiskInode new_inode_record(u16 mode, Ext2Owner) const;
    Result<void> discard_new_inode(u32 inode);
    Result<void> free_inode_now(u32 inode);
    Result<void> adjust_links(u32 inode, int delta);
    Result<void> check_not_ancestor(u32 directory, u32 moved);
    bool is_fast_symlink(Ext2DiskInode const&) const;
    // Whether i_block holds block pointers: not for a fast symlink (its text is there) or a
    // device node (its number is).
    bool holds_block_map(Ext2DiskInode const&) const;

    // Inodes whose link count reached 0 but that release_inode has not freed yet.
    Result<void> reserve_orphan_slot();
    void add_orphan(u32 inode);
    bool take_orphan(u32 inode);

    Ext2Volume m_volume;
    BlockCache m_cache;
    Ext2Allocator m_allocator;
    Ext2InodeTable m_inodes;
    Ext2BlockMap m_map;
    Ext2Directory m_directories;
    u8* m_scratch { nullptr }; // one block, for partial-block writes
    u32* m_orphans { nullptr };
    usize m_orphan_count { 0 };
    usize m_orphan_capacity { 0 };
    u16 m_state_at_mount { 0 };
    bool m_mounted { false };
};
