// Path names to files. Pagoda's namespace today: the initramfs at /, generated files
// under /proc, and /dev/null and /dev/console.
#pragma once

#include "file.h"

constexpr usize PATH_MAX = 4096;

// Turns `path` (absolute, or relative to `cwd`) into a normalized path without the leading
// slash, resolving "." and ".." and repeated slashes, into `out`. NameTooLong if it won't fit.
Result<void> normalize_path(char const* cwd, char const* path, char* out, usize capacity);

// Opens a normalized path with open(2) flags.
Result<RefPtr<File>> vfs_open(char const* normalized_path, int flags);
Result<usize> vfs_readlink(char const* normalized_path, char* out, usize capacity);
// Replaces a normalized path naming a symbolic link (such as /proc/self/exe) by its target,
// repeatedly; Loop after 40 links, as Linux. Only the last component is followed.
Result<void> vfs_follow_links(char* normalized_path, usize capacity);
