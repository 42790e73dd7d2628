// System calls reach user memory only through these, which go through the current
// process's AddressSpace (software page walk, faults resolved as a user access would be,
// EFAULT for addresses the program may not touch).
#pragma once

#include "kernel/mm/user_memory.h"
#include "kernel/proc/process.h"

using UserAddress = u64;

inline AddressSpace& user_space() { return current_process().address_space(); }

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
