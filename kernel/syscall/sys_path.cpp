// System calls that name files by path: stat, access, readlink, getcwd.
#include "handlers.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"

Result<void> read_user_path(UserAddress address, char* out, usize capacity)
{
    char raw[PATH_MAX];
    TRY(user_space().copy_string_from_user(raw, address, sizeof raw));
    return normalize_path(current_process().cwd(), raw, out, capacity);
}

namespace {

Result<i64> stat_path(UserAddress path, UserAddress stat)
{
    char normalized[PATH_MAX];
    TRY(read_user_path(path, normalized, sizeof normalized));
    RefPtr<File> file = TRY(vfs_open(normalized, O_RDONLY));
    LinuxStat result;
    file->stat(result);
    TRY(write_user(stat, result));
    return 0;
}

}

Result<i64> sys_stat(UserAddress path, UserAddress stat) { return stat_path(path, stat); }
Result<i64> sys_lstat(UserAddress path, UserAddress stat) { return stat_path(path, stat); }

Result<i64> sys_fstat(int fd, UserAddress stat)
{
    auto file = TRY(current_process().fds().get(fd));
    LinuxStat result;
    file->file().stat(result);
    TRY(write_user(stat, result));
    return 0;
}

Result<i64> sys_newfstatat(int dirfd, UserAddress path, UserAddress stat, int flags)
{
    constexpr int AT_EMPTY_PATH = 0x1000;
    if (flags & AT_EMPTY_PATH) {
        char first = TRY(read_user<char>(path));
        if (first == '\0')
            return sys_fstat(dirfd, stat);
    }
    return stat_path(path, stat);
}

Result<i64> sys_access(UserAddress path, int mode)
{
    char normalized[PATH_MAX];
    TRY(read_user_path(path, normalized, sizeof normalized));
    RefPtr<File> file = TRY(vfs_open(normalized, O_RDONLY));
    LinuxStat result;
    file->stat(result);
    constexpr int W_OK = 2, X_OK = 1;
    if ((mode & W_OK) && (result.st_mode & MODE_TYPE_MASK) == MODE_REGULAR && result.st_dev == 1)
        return Errno::ReadOnlyFs;
    if ((mode & X_OK) && !(result.st_mode & 0111))
        return Errno::Access;
    return 0;
}

Result<i64> sys_faccessat(int, UserAddress path, int mode) { return sys_access(path, mode); }

Result<i64> sys_readlinkat(int, UserAddress path, UserAddress buffer, u64 size)
{
    if (static_cast<i64>(size) <= 0)
        return Errno::Invalid;
    char normalized[PATH_MAX];
    TRY(read_user_path(path, normalized, sizeof normalized));
    char target[PATH_MAX];
    usize n = TRY(vfs_readlink(normalized, target, min<u64>(size, sizeof target)));
    TRY(user_space().copy_to_user(buffer, target, n));
    return static_cast<i64>(n);
}

Result<i64> sys_readlink(UserAddress path, UserAddress buffer, u64 size) { return sys_readlinkat(-100, path, buffer, size); }

Result<i64> sys_getcwd(UserAddress buffer, u64 size)
{
    char const* cwd = current_process().cwd();
    usize length = strlen(cwd) + 2; // leading slash and NUL
    if (size < length)
        return Errno::Range;
    char text[PATH_MAX];
    text[0] = '/';
    memcpy(text + 1, cwd, length - 1);
    TRY(user_space().copy_to_user(buffer, text, length));
    return static_cast<i64>(length);
}
