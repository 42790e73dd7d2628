// System calls that name files by path: open's resolution, stat, access, readlink, getcwd,
// chdir, mkdir, unlink, rmdir, rename, link, symlink, truncate, statfs. (chmod, chown and
// the utimes family are in sys_attributes.cpp.)
#include "handlers.h"
#include "kernel/fs/attributes.h"
#include "kernel/fs/file_lock.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/permission.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/resource_limits.h"

namespace {

LastComponent last_component_of(char const* path, usize length)
{
    while (length > 1 && path[length - 1] == '/')
        --length; // "x/./" ends in "." too
    usize start = length;
    while (start > 0 && path[start - 1] != '/')
        --start;
    usize n = length - start;
    if (n == 1 && path[start] == '.')
        return LastComponent::Dot;
    if (n == 2 && path[start] == '.' && path[start + 1] == '.')
        return LastComponent::DotDot;
    return LastComponent::Name;
}

}

Result<void> read_user_path_at(
    int dirfd, UserAddress address, char* out, usize capacity, bool* trailing_slash, LastComponent* last)
{
    PATH_BUFFER(raw);
    usize length = TRY(copy_string_from_user(user_space(), raw, address, PATH_MAX));
    // "link/" names what the link points to, as on Linux: the caller must follow it.
    if (trailing_slash)
        *trailing_slash = length > 0 && raw[length - 1] == '/';
    if (last)
        *last = last_component_of(raw, length);
    if (raw[0] == '/' || dirfd == AT_FDCWD)
        return normalize_path(current_process().cwd(), raw, out, capacity, &caller_credentials());
    // Relative to an open directory: the path it was opened by.
    auto directory = TRY(current_process().fds().get_even_if_path_only(dirfd));
    Inode* inode = directory->file().inode();
    if (!inode || !inode->is_directory())
        return Errno::NotDirectory;
    return normalize_path(directory->path(), raw, out, capacity, &caller_credentials());
}

Result<void> read_user_path(UserAddress address, char* out, usize capacity)
{
    return read_user_path_at(AT_FDCWD, address, out, capacity);
}

Result<RefPtr<Inode>> read_user_inode_at(int dirfd, UserAddress path, int flags, FollowLastLink follow, Credentials const& who)
{
    if (flags & AT_EMPTY_PATH) {
        char first = TRY(read_user<char>(path));
        if (first == '\0') {
            if (dirfd == AT_FDCWD)
                return vfs_lookup(current_process().cwd(), FollowLastLink::Yes, who);
            auto file = TRY(current_process().fds().get_even_if_path_only(dirfd));
            Inode* inode = file->file().inode();
            if (!inode)
                return Errno::Invalid; // a pipe or the console: no inode here
            return RefPtr<Inode>(inode);
        }
    }
    PATH_BUFFER(normalized);
    bool trailing_slash;
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX, &trailing_slash));
    if (trailing_slash)
        follow = FollowLastLink::Yes;
    return vfs_lookup(normalized, follow, who);
}

namespace {

Result<i64> stat_path_at(int dirfd, UserAddress path, UserAddress stat, FollowLastLink follow)
{
    PATH_BUFFER(normalized);
    bool trailing_slash;
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX, &trailing_slash));
    if (trailing_slash)
        follow = FollowLastLink::Yes;
    RefPtr<Inode> inode = TRY(vfs_lookup(normalized, follow, caller_credentials()));
    LinuxStat result;
    inode->stat(result);
    TRY(write_user(stat, result));
    return 0;
}

}

Result<i64> sys_stat(UserAddress path, UserAddress stat) { return stat_path_at(AT_FDCWD, path, stat, FollowLastLink::Yes); }
Result<i64> sys_lstat(UserAddress path, UserAddress stat) { return stat_path_at(AT_FDCWD, path, stat, FollowLastLink::No); }

Result<i64> sys_fstat(int fd, UserAddress stat)
{
    auto file = TRY(current_process().fds().get_even_if_path_only(fd));
    LinuxStat result;
    file->file().stat(result);
    TRY(write_user(stat, result));
    return 0;
}

Result<i64> sys_newfstatat(int dirfd, UserAddress path, UserAddress stat, int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return Errno::Invalid;
    if (flags & AT_EMPTY_PATH) {
        char first = TRY(read_user<char>(path));
        if (first == '\0')
            return dirfd == AT_FDCWD ? stat_path_at(AT_FDCWD, path, stat, FollowLastLink::Yes) : sys_fstat(dirfd, stat);
    }
    return stat_path_at(dirfd, path, stat, (flags & AT_SYMLINK_NOFOLLOW) ? FollowLastLink::No : FollowLastLink::Yes);
}

// struct statx (include/uapi/linux/stat.h): 256 bytes; Pagoda fills the basic fields.
struct StatxTimestamp {
    i64 seconds;
    u32 nanoseconds;
    i32 reserved;
};
struct Statx {
    u32 mask, blksize;
    u64 attributes;
    u32 nlink, uid, gid;
    u16 mode, spare0;
    u64 ino, size, blocks, attributes_mask;
    StatxTimestamp atime, btime, ctime, mtime;
    u32 rdev_major, rdev_minor, dev_major, dev_minor;
    u64 spare[14];
};
static_assert(sizeof(Statx) == 256);

Result<i64> sys_statx(int dirfd, UserAddress path, int flags, u32 mask, UserAddress buffer)
{
    constexpr int KNOWN = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* NO_AUTOMOUNT */ | 0x6000 /* SYNC_TYPE */;
    constexpr u32 STATX_BASIC_STATS = 0x7ff;
    constexpr u32 STATX__RESERVED = 0x80000000;
    constexpr int AT_STATX_SYNC_TYPE = 0x6000;
    if (flags & ~KNOWN)
        return Errno::Invalid;
    // Both sync kinds at once, or a mask bit Linux keeps for a future struct: EINVAL.
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
        return Errno::Invalid;
    LinuxStat s;
    char first = TRY(read_user<char>(path));
    if ((flags & AT_EMPTY_PATH) && first == '\0' && dirfd != AT_FDCWD) {
        auto file = TRY(current_process().fds().get_even_if_path_only(dirfd));
        file->file().stat(s);
    } else {
        PATH_BUFFER(normalized);
        bool trailing_slash;
        TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX, &trailing_slash));
        bool follow = !(flags & AT_SYMLINK_NOFOLLOW) || trailing_slash;
        RefPtr<Inode> inode
            = TRY(vfs_lookup(normalized, follow ? FollowLastLink::Yes : FollowLastLink::No, caller_credentials()));
        inode->stat(s);
    }
    Statx out {};
    out.mask = STATX_BASIC_STATS;
    out.blksize = static_cast<u32>(s.st_blksize);
    out.nlink = static_cast<u32>(s.st_nlink);
    out.uid = s.st_uid;
    out.gid = s.st_gid;
    out.mode = static_cast<u16>(s.st_mode);
    out.ino = s.st_ino;
    out.size = static_cast<u64>(s.st_size);
    out.blocks = static_cast<u64>(s.st_blocks);
    out.atime = { static_cast<i64>(s.st_atime), static_cast<u32>(s.st_atime_nsec), 0 };
    out.mtime = { static_cast<i64>(s.st_mtime), static_cast<u32>(s.st_mtime_nsec), 0 };
    out.ctime = { static_cast<i64>(s.st_ctime), static_cast<u32>(s.st_ctime_nsec), 0 };
    out.rdev_major = static_cast<u32>(s.st_rdev >> 8);
    out.rdev_minor = static_cast<u32>(s.st_rdev & 0xff);
    out.dev_major = static_cast<u32>(s.st_dev >> 8);
    out.dev_minor = static_cast<u32>(s.st_dev & 0xff);
    TRY(write_user(buffer, out));
    return 0;
}

Result<i64> sys_faccessat2(int dirfd, UserAddress path, int mode, int flags)
{
    constexpr int R_OK = 4, W_OK = 2, X_OK = 1;
    if (mode & ~(R_OK | W_OK | X_OK))
        return Errno::Invalid;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return Errno::Invalid;
    // "Could the real user do this?" unless AT_EACCESS asks about the effective one; the
    // walk to the file is made with the same ids.
    Credentials const& caller = caller_credentials();
    Credentials checked = (flags & AT_EACCESS) ? caller : caller.for_access_check();
    FollowLastLink follow = (flags & AT_SYMLINK_NOFOLLOW) ? FollowLastLink::No : FollowLastLink::Yes;
    RefPtr<Inode> inode = TRY(read_user_inode_at(dirfd, path, flags & AT_EMPTY_PATH, follow, checked));
    // The bits match Linux's MAY_READ, MAY_WRITE and MAY_EXEC.
    TRY(inode_permission(*inode, checked, static_cast<u32>(mode)));
    return 0;
}

Result<i64> sys_faccessat(int dirfd, UserAddress path, int mode) { return sys_faccessat2(dirfd, path, mode, 0); }

Result<i64> sys_access(UserAddress path, int mode) { return sys_faccessat2(AT_FDCWD, path, mode, 0); }

Result<i64> sys_readlinkat(int dirfd, UserAddress path, UserAddress buffer, u64 size)
{
    if (static_cast<i64>(size) <= 0)
        return Errno::Invalid;
    PATH_BUFFER(normalized);
    char first = TRY(read_user<char>(path));
    if (first == '\0' && dirfd != AT_FDCWD) {
        // An empty path reads the link `dirfd` itself names (opened O_PATH | O_NOFOLLOW),
        // as Linux allows; any other descriptor has no link to read.
        auto file = TRY(current_process().fds().get_even_if_path_only(dirfd));
        Inode* inode = file->file().inode();
        if (!inode || !inode->is_symlink())
            return Errno::NoEntry;
        memcpy(normalized, file->path(), strlen(file->path()) + 1);
    } else {
        TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX));
    }
    PATH_BUFFER(target);
    usize n = TRY(vfs_readlink(normalized, target, min<u64>(size, PATH_MAX), caller_credentials()));
    TRY(copy_to_user(user_space(), buffer, target, n));
    return static_cast<i64>(n);
}

Result<i64> sys_readlink(UserAddress path, UserAddress buffer, u64 size) { return sys_readlinkat(AT_FDCWD, path, buffer, size); }

Result<i64> sys_getcwd(UserAddress buffer, u64 size)
{
    char const* cwd = current_process().cwd();
    usize length = strlen(cwd) + 2; // leading slash and NUL
    if (size < length)
        return Errno::Range;
    PATH_BUFFER(text);
    text[0] = '/';
    memcpy(text + 1, cwd, length - 1);
    TRY(copy_to_user(user_space(), buffer, text, length));
    return static_cast<i64>(length);
}

Result<i64> sys_chdir(UserAddress path)
{
    PATH_BUFFER(normalized);
    TRY(read_user_path(path, normalized, PATH_MAX));
    PATH_BUFFER(resolved);
    RefPtr<Inode> inode = TRY(vfs_lookup(normalized, FollowLastLink::Yes, caller_credentials(), resolved, PATH_MAX));
    if (!inode->is_directory())
        return Errno::NotDirectory;
    TRY(inode_permission(*inode, caller_credentials(), MayExecute));
    TRY(current_process().set_cwd(resolved));
    return 0;
}

Result<i64> sys_fchdir(int fd)
{
    auto file = TRY(current_process().fds().get_even_if_path_only(fd));
    Inode* inode = file->file().inode();
    if (!inode || !inode->is_directory())
        return Errno::NotDirectory;
    TRY(inode_permission(*inode, caller_credentials(), MayExecute));
    TRY(current_process().set_cwd(file->path()));
    return 0;
}

Result<i64> sys_mkdirat(int dirfd, UserAddress path, u32 mode)
{
    PATH_BUFFER(normalized);
    LastComponent last;
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX, nullptr, &last));
    if (last != LastComponent::Name) {
        // "x/." and "x/.." exist once x does (ENOENT otherwise): never a new name.
        TRY(vfs_lookup(normalized, FollowLastLink::Yes, caller_credentials()));
        return Errno::Exists;
    }
    TRY(vfs_mkdir(normalized, mode & ~current_process().umask() & 07777, caller_credentials()));
    return 0;
}

Result<i64> sys_mkdir(UserAddress path, u32 mode) { return sys_mkdirat(AT_FDCWD, path, mode); }

Result<i64> sys_unlinkat(int dirfd, UserAddress path, int flags)
{
    if (flags & ~AT_REMOVEDIR)
        return Errno::Invalid;
    PATH_BUFFER(normalized);
    LastComponent last;
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX, nullptr, &last));
    if (last != LastComponent::Name) {
        // Linux walks to the directory first (ENOENT, ENOTDIR), then refuses to remove it
        // by "." (EINVAL) or ".." (ENOTEMPTY: it holds at least the one we came from), and
        // unlink of either is EISDIR.
        TRY(vfs_lookup(normalized, FollowLastLink::Yes, caller_credentials()));
        if (!(flags & AT_REMOVEDIR))
            return Errno::IsDirectory;
        return last == LastComponent::Dot ? Errno::Invalid : Errno::NotEmpty;
    }
    if (flags & AT_REMOVEDIR)
        TRY(vfs_rmdir(normalized, caller_credentials()));
    else
        TRY(vfs_unlink(normalized, caller_credentials()));
    return 0;
}

Result<i64> sys_unlink(UserAddress path) { return sys_unlinkat(AT_FDCWD, path, 0); }
Result<i64> sys_rmdir(UserAddress path) { return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

Result<i64> sys_renameat(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path)
{
    PATH_BUFFER(from);
    PATH_BUFFER(to);
    TRY(read_user_path_at(old_dirfd, old_path, from, PATH_MAX));
    TRY(read_user_path_at(new_dirfd, new_path, to, PATH_MAX));
    TRY(vfs_rename(from, to, caller_credentials()));
    return 0;
}

Result<i64> sys_rename(UserAddress old_path, UserAddress new_path)
{
    return sys_renameat(AT_FDCWD, old_path, AT_FDCWD, new_path);
}

Result<i64> sys_renameat2(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path, u32 flags)
{
    if (flags)
        return Errno::Invalid; // RENAME_NOREPLACE/EXCHANGE/WHITEOUT are not supported
    return sys_renameat(old_dirfd, old_path, new_dirfd, new_path);
}

Result<i64> sys_linkat(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path, int flags)
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return Errno::Invalid;
    PATH_BUFFER(from);
    PATH_BUFFER(to);
    TRY(read_user_path_at(old_dirfd, old_path, from, PATH_MAX));
    TRY(read_user_path_at(new_dirfd, new_path, to, PATH_MAX));
    if (flags & AT_SYMLINK_FOLLOW) {
        PATH_BUFFER(resolved);
        TRY(vfs_lookup(from, FollowLastLink::Yes, caller_credentials(), resolved, PATH_MAX));
        TRY(vfs_link(resolved, to, caller_credentials()));
    } else {
        TRY(vfs_link(from, to, caller_credentials()));
    }
    return 0;
}

Result<i64> sys_link(UserAddress old_path, UserAddress new_path) { return sys_linkat(AT_FDCWD, old_path, AT_FDCWD, new_path, 0); }

Result<i64> sys_symlinkat(UserAddress target, int dirfd, UserAddress link_path)
{
    PATH_BUFFER(text);
    PATH_BUFFER(where);
    TRY(copy_string_from_user(user_space(), text, target, PATH_MAX));
    if (!text[0])
        return Errno::NoEntry;
    TRY(read_user_path_at(dirfd, link_path, where, PATH_MAX));
    TRY(vfs_symlink(text, where, caller_credentials()));
    return 0;
}

Result<i64> sys_symlink(UserAddress target, UserAddress link_path) { return sys_symlinkat(target, AT_FDCWD, link_path); }

Result<i64> sys_truncate(UserAddress path, i64 length)
{
    if (length < 0)
        return Errno::Invalid;
    PATH_BUFFER(normalized);
    TRY(read_user_path(path, normalized, PATH_MAX));
    RefPtr<Inode> inode = TRY(vfs_lookup(normalized, FollowLastLink::Yes, caller_credentials()));
    if (inode->is_directory())
        return Errno::IsDirectory;
    if (!inode->is_regular())
        return Errno::Invalid;
    TRY(inode_permission(*inode, caller_credentials(), MayWrite));
    LinuxStat now;
    inode->stat(now);
    TRY(check_file_size_limit(current_process(), static_cast<u64>(now.st_size), static_cast<u64>(length)));
    // Writing by name needs write access as an open file would: not to a running program.
    TRY(inode->get_write_access());
    if (auto broken = break_leases(*inode, true, false); broken.is_error()) {
        inode->put_write_access();
        return broken.error();
    }
    if (auto cleared = clear_set_id_before_write(*inode, caller_credentials()); cleared.is_error()) {
        inode->put_write_access();
        return cleared.error();
    }
    auto truncated = inode->truncate(static_cast<u64>(length));
    inode->put_write_access();
    TRY(truncated);
    return 0;
}

// statfs/fstatfs: the figures of the file system holding the path or the open file (tmpfs
// and ext2 have them; elsewhere ENOSYS).
Result<i64> sys_statfs(UserAddress path, UserAddress buffer)
{
    PATH_BUFFER(normalized);
    TRY(read_user_path(path, normalized, PATH_MAX));
    RefPtr<Inode> inode = TRY(vfs_lookup(normalized, FollowLastLink::Yes, caller_credentials()));
    LinuxStatfs figures;
    TRY(inode->statfs(figures));
    TRY(write_user(buffer, figures));
    return 0;
}

Result<i64> sys_fstatfs(int fd, UserAddress buffer)
{
    auto file = TRY(current_process().fds().get_even_if_path_only(fd));
    Inode* inode = file->file().inode();
    LinuxStatfs figures;
    if (!inode && file->file().pipe()) {
        // A pipe lives in Linux's pipefs, which stores nothing.
        constexpr i64 PIPEFS_MAGIC = 0x50495045;
        statfs_without_storage(figures, PIPEFS_MAGIC);
    } else if (!inode) {
        return Errno::NoSys;
    } else {
        TRY(inode->statfs(figures));
    }
    TRY(write_user(buffer, figures));
    return 0;
}

Result<i64> sys_umask(u32 mask) { return current_process().set_umask(mask & 0777); }
