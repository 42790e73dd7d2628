// System calls that change an inode's attributes: chmod, chown and the utimes family
// (utimensat, futimens through it, utimes, futimesat, utime). The rules are the VFS's
// (kernel/fs/attributes.cpp); here the arguments are decoded and the inode found.
#include "handlers.h"
#include "kernel/fs/attributes.h"
#include "kernel/fs/path_buffer.h"

namespace {

// The inode an open descriptor refers to; Invalid for one without (a pipe, the console).
Result<RefPtr<Inode>> inode_of_fd(int fd)
{
    auto file = TRY(current_process().fds().get(fd));
    Inode* inode = file->file().inode();
    if (!inode)
        return Errno::Invalid;
    return RefPtr<Inode>(inode);
}

FollowLastLink follow_unless(int flags) { return (flags & AT_SYMLINK_NOFOLLOW) ? FollowLastLink::No : FollowLastLink::Yes; }

}

Result<i64> sys_fchmodat(int dirfd, UserAddress path, u32 mode)
{
    RefPtr<Inode> inode = TRY(read_user_inode_at(dirfd, path, 0, FollowLastLink::Yes));
    TRY(change_mode(*inode, mode, caller_credentials()));
    return 0;
}

Result<i64> sys_chmod(UserAddress path, u32 mode) { return sys_fchmodat(AT_FDCWD, path, mode); }

Result<i64> sys_fchmod(int fd, u32 mode)
{
    RefPtr<Inode> inode = TRY(inode_of_fd(fd));
    TRY(change_mode(*inode, mode, caller_credentials()));
    return 0;
}

Result<i64> sys_fchownat(int dirfd, UserAddress path, u32 uid, u32 gid, int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return Errno::Invalid;
    RefPtr<Inode> inode = TRY(read_user_inode_at(dirfd, path, flags, follow_unless(flags)));
    TRY(change_owner(*inode, uid, gid, caller_credentials()));
    return 0;
}

Result<i64> sys_chown(UserAddress path, u32 uid, u32 gid) { return sys_fchownat(AT_FDCWD, path, uid, gid, 0); }

Result<i64> sys_lchown(UserAddress path, u32 uid, u32 gid) { return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW); }

Result<i64> sys_fchown(int fd, u32 uid, u32 gid)
{
    RefPtr<Inode> inode = TRY(inode_of_fd(fd));
    TRY(change_owner(*inode, uid, gid, caller_credentials()));
    return 0;
}

namespace {

constexpr i64 UTIME_NOW = (1l << 30) - 1, UTIME_OMIT = (1l << 30) - 2;
constexpr i64 NS = 1000000000, US = 1000000;

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

// One time of a struct timespec[2]: a time, UTIME_NOW or UTIME_OMIT; Invalid otherwise.
Result<TimeSetting> time_setting(Timespec t)
{
    if (t.nanoseconds == UTIME_NOW)
        return TimeSetting { TimeSetting::Now, {} };
    if (t.nanoseconds == UTIME_OMIT)
        return TimeSetting { TimeSetting::Omit, {} };
    if (t.nanoseconds < 0 || t.nanoseconds >= NS)
        return Errno::Invalid;
    return TimeSetting { TimeSetting::Given, FileTime { t.seconds, static_cast<u32>(t.nanoseconds) } };
}

// The file a utimes-family call names: a path (at dirfd), or with no path dirfd itself.
Result<RefPtr<Inode>> utimes_target(int dirfd, UserAddress path, int flags)
{
    if (!path) {
        if (dirfd == AT_FDCWD)
            return Errno::BadAddress;
        if (flags)
            return Errno::Invalid; // futimens takes no flags
        return inode_of_fd(dirfd);
    }
    return read_user_inode_at(dirfd, path, flags, follow_unless(flags));
}

Result<i64> set_times_at(int dirfd, UserAddress path, TimeSetting atime, TimeSetting mtime, int flags)
{
    RefPtr<Inode> inode = TRY(utimes_target(dirfd, path, flags));
    TRY(change_times(*inode, atime, mtime, caller_credentials()));
    return 0;
}

constexpr TimeSetting NOW { TimeSetting::Now, {} };

// utimes and futimesat: struct timeval[2], microseconds.
Result<i64> set_times_from_timevals(int dirfd, UserAddress path, UserAddress times)
{
    if (!times)
        return set_times_at(dirfd, path, NOW, NOW, 0);
    struct Timeval {
        i64 seconds;
        i64 microseconds;
    };
    Timeval given[2];
    TRY(copy_from_user(user_space(), given, times, sizeof given));
    TimeSetting settings[2];
    for (int i = 0; i < 2; ++i) {
        if (given[i].microseconds < 0 || given[i].microseconds >= US)
            return Errno::Invalid;
        settings[i] = { TimeSetting::Given, FileTime { given[i].seconds, static_cast<u32>(given[i].microseconds * 1000) } };
    }
    return set_times_at(dirfd, path, settings[0], settings[1], 0);
}

}

Result<i64> sys_utimensat(int dirfd, UserAddress path, UserAddress times, int flags)
{
    TimeSetting atime = NOW, mtime = NOW;
    if (times) {
        Timespec given[2];
        TRY(copy_from_user(user_space(), given, times, sizeof given));
        atime = TRY(time_setting(given[0]));
        mtime = TRY(time_setting(given[1]));
        // Nothing to change: Linux returns before it even looks at the path.
        if (atime.kind == TimeSetting::Omit && mtime.kind == TimeSetting::Omit)
            return 0;
    }
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return Errno::Invalid;
    return set_times_at(dirfd, path, atime, mtime, flags);
}

Result<i64> sys_utimes(UserAddress path, UserAddress times) { return set_times_from_timevals(AT_FDCWD, path, times); }

Result<i64> sys_futimesat(int dirfd, UserAddress path, UserAddress times) { return set_times_from_timevals(dirfd, path, times); }

Result<i64> sys_utime(UserAddress path, UserAddress times)
{
    if (!times)
        return set_times_at(AT_FDCWD, path, NOW, NOW, 0);
    struct Utimbuf {
        i64 access;
        i64 modification;
    };
    Utimbuf given = TRY(read_user<Utimbuf>(times));
    return set_times_at(AT_FDCWD, path, TimeSetting { TimeSetting::Given, FileTime { given.access, 0 } },
        TimeSetting { TimeSetting::Given, FileTime { given.modification, 0 } }, 0);
}
