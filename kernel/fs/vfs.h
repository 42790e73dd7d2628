// The VFS: one tree of names made of mounted file systems, walked one component at a time.
//
//   /        the root file system (ext2 on the first disk, or the initramfs)
//   /tmp     tmpfs          /proc   procfs          /dev   devfs          /mnt  a second disk
//
// Paths reach the VFS normalized (normalize_path: absolute, "." and ".." resolved, written
// without the leading slash, "" for the root). Symbolic links are followed in every
// component but the last, and in the last when the caller asks (open without O_NOFOLLOW).
//
// Every call acts for someone (`who`, the calling process's credentials) and checks what
// Linux checks for them (fs/permission.h): search permission on every directory walked,
// write permission on a directory whose entries change, the sticky bit, open's access.
#pragma once

#include "kernel/lib/function_ref.h"

#include "inode.h"
#include "kernel/dev/block_device.h"
#include "kernel/lib/credentials.h"
#include "path_buffer.h"

enum class FollowLastLink {
    No,
    Yes
};

// Turns `path` (absolute, or relative to `cwd`, itself normalized) into a normalized path in
// `out`. NameTooLong if it won't fit; NoEntry for an empty path. With `who`, a ".." goes up
// from the directory the path so far names, as Linux's walk does: "link/.." is the parent of
// the link's target, "missing/.." NoEntry, "file/.." NotDirectory (looked up for `who`).
// Without, ".." just drops the component before it (for paths known to hold no links).
Result<void> normalize_path(char const* cwd, char const* path, char* out, usize capacity, Credentials const* who = nullptr);

// Attaches the file system whose root is `root` at the normalized path `where` ("" = /).
// What /proc/mounts says of a mount: its file-system type, where it comes from (a device,
// or the type's name for one that lives in memory), and whether it can be written.
// `options` are the MS_NOSUID, MS_NODEV, MS_NOEXEC, ... bits it was mounted with (shown
// in /proc/mounts); `device` the block device it was mounted from, released at umount.
constexpr u64 MOUNT_READ_ONLY = 0x1, MOUNT_NOSUID = 0x2, MOUNT_NODEV = 0x4, MOUNT_NOEXEC = 0x8, MOUNT_SYNCHRONOUS = 0x10,
              MOUNT_NOATIME = 0x400, MOUNT_NODIRATIME = 0x800, MOUNT_RELATIME = 0x200000, MOUNT_STRICTATIME = 0x1000000;
struct MountInfo {
    char const* type;
    char const* source;
    bool read_only;
    u64 options { 0 };
    BlockDevice* device { nullptr };
};
// The strings of `info` are copied. NoSpace when the table is full.
Result<void> vfs_mount(char const* where, RefPtr<Inode> root, MountInfo);
void vfs_for_each_mount(FunctionRef<void(char const* where, MountInfo const&)>);
// The root of what is mounted at the normalized path `where`, or nullptr.
RefPtr<Inode> vfs_mount_root(char const* where);
// umount2: Invalid if `where` is no mount point; Busy if another mount lies beneath it or
// its file system is in use (Inode::unmount_file_system). The caller has checked that no
// process works in it or has a file of it open.
Result<void> vfs_unmount(char const* where);
// mount(2) with MS_REMOUNT: the file system's access (Inode::remount_file_system) and the
// mount's options.
Result<void> vfs_remount(char const* where, bool read_only, u64 options);

// The inode a path names. `resolved`, if given, receives the path with links followed.
Result<RefPtr<Inode>> vfs_lookup(
    char const* path, FollowLastLink, Credentials const& who, char* resolved = nullptr, usize capacity = 0);

// The directory that would hold `path`'s last component, and that component.
struct ParentAndName {
    RefPtr<Inode> parent;
    Name name;
};
Result<ParentAndName> vfs_lookup_parent(char const* path, Credentials const& who);

// open(2): resolves, creates with O_CREAT (mode & ~umask is the caller's job), checks
// O_EXCL/O_DIRECTORY/O_TRUNC and access, and opens. `resolved` (PATH_MAX bytes), if given,
// receives the path with its links followed (for a file it created: `path`).
Result<RefPtr<File>> vfs_open(char const* path, int flags, u32 mode, Credentials const& who, char* resolved = nullptr);

// The path system calls, given the caller's credentials rather than its process.
Result<void> vfs_mkdir(char const* path, u32 mode, Credentials const& who);
// mknod(2) of a regular file, FIFO, socket or device node (the type in `mode`; `device`
// for a device node); Exists if taken.
Result<void> vfs_mknod(char const* path, u32 mode, DeviceNumber device, Credentials const& who);
Result<void> vfs_unlink(char const* path, Credentials const& who);
Result<void> vfs_rmdir(char const* path, Credentials const& who);
Result<void> vfs_rename(char const* from, char const* to, Credentials const& who);
Result<void> vfs_link(char const* existing, char const* new_path, Credentials const& who);
Result<void> vfs_symlink(char const* target, char const* link_path, Credentials const& who);
Result<usize> vfs_readlink(char const* path, char* out, usize capacity, Credentials const& who);
// Writes every file system's dirty data and metadata to its device (sync(2), shutdown).
Result<void> vfs_sync_all();
