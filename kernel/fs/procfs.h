// /proc: text files generated on open from the kernel's live state, in Linux's formats.
#pragma once

#include "file.h"

// `path` is relative to /proc ("vmstat", "self/maps"). NoEntry for unknown files.
Result<RefPtr<File>> procfs_open(char const* path);
// readlink for /proc's symbolic links ("self/exe"). Returns the target length.
Result<usize> procfs_readlink(char const* path, char* out, usize capacity);
// The kernel command line as the boot loader gave it, for /proc/cmdline (kernel/main.cpp).
char const* kernel_command_line();
