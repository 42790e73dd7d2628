// System calls reach user memory only through these, which go through the current
// process's AddressSpace (software page walk, faults resolved as a user access would be,
// EFAULT for addresses the program may not touch).
#pragma once

#include "kernel/fs/vfs.h"
#include "kernel/mm/user_memory.h"
#include "kernel/proc/process.h"

using UserAddress = u64;

inline AddressSpace& user_space() { return current_process().address_space(); }
// Whom the calling process acts as: what every permission check is made for.
inline Credentials const& caller_credentials() { return current_process().credentials; }

template<typename T> Result<T> read_user(UserAddress address)
{
    T value;
    TRY(copy_from_user(user_space(), &value, address, sizeof(T)));
    return value;
}

template<typename T> Result<void> write_user(UserAddress address, T const& value)
{
    return copy_to_user(user_space(), address, &value, sizeof(T));
}

// The dirfd and flags of the *at() calls (include/uapi/linux/fcntl.h).
constexpr int AT_FDCWD = -100;
constexpr int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200, AT_SYMLINK_FOLLOW = 0x400,
              AT_EMPTY_PATH = 0x1000;

// What the path's last component was before normalization took it away: "x/." and "x/.."
// name x and x's parent, but calls that make or remove a name refuse them as Linux does.
enum class LastComponent {
    Name,
    Dot,
    DotDot
};

// Copies a NUL-terminated path from user memory and normalizes it against the cwd, or for
// the *at() calls against the directory `dirfd` was opened as (AT_FDCWD = the cwd).
Result<void> read_user_path(UserAddress address, char* out, usize capacity);
Result<void> read_user_path_at(
    int dirfd, UserAddress address, char* out, usize capacity, bool* trailing_slash = nullptr, LastComponent* last = nullptr);
// The inode a *at() call names: `path` relative to `dirfd`, or, with AT_EMPTY_PATH in
// `flags` and an empty path, the file `dirfd` refers to (the current directory for
// AT_FDCWD). A trailing slash follows a last link whatever `follow` says. The walk checks
// search permission for `who` (access() walks with the real ids).
Result<RefPtr<Inode>> read_user_inode_at(
    int dirfd, UserAddress path, int flags, FollowLastLink follow, Credentials const& who = caller_credentials());
