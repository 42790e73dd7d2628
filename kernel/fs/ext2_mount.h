// The VFS face of an ext2 volume: each inode number becomes one Ext2Inode (at most one live
// object per number, so each file has exactly one page cache), regular files move their
// bytes through that page cache with Ext2FileSystem::read_page/write_page as the Pager, and
// names and metadata go straight to Ext2FileSystem (kernel/fs/ext2/).
#pragma once

#include "inode.h"
#include "kernel/dev/block_device.h"

class Ext2FileSystem;
class Ext2Mount;

enum class Ext2Access {
    ReadWrite,
    ReadOnly
};
// Mounts the ext2 volume on `device` and returns its root inode. Its root's
// unmount_file_system() ends the mount (umount2), remount_file_system() changes its access.
Result<RefPtr<Inode>> ext2_mount(BlockDevice& device, char const* label, Ext2Access = Ext2Access::ReadWrite);
// Writes back every ext2 volume's dirty pages and metadata (sync, shutdown); with `unmount`
// also marks the volumes clean, as a clean shutdown must.
Result<void> ext2_sync_all(bool unmount);
// Drops the inodes nobody uses any more: frees unlinked files whose last open file and
// mapping have gone (called periodically by the flusher and at sync).
void ext2_release_unused_inodes();
// Writes every ext2 volume's cached metadata (bitmaps, inodes, directories) to disk.
Result<void> ext2_sync_metadata();
// Forgets every ext2 volume's clean cached metadata blocks — inode tables, directories,
// indirect blocks, bitmaps: where Pagoda keeps what Linux's dentry and inode caches hold
// (/proc/sys/vm/drop_caches 2 or 3). Says how many blocks it forgot.
usize ext2_drop_clean_metadata();
