// The stat of a /proc file that is not text generated at open (pagemap, mem, pagoda/trace):
// a regular file of size 0 on the proc device, with the permissions given.
#pragma once

#include "kernel/fs/file.h"

inline void proc_file_stat(LinuxStat& out, u32 permissions)
{
    out = {};
    out.st_dev = 3;
    out.st_mode = MODE_REGULAR | permissions;
    out.st_nlink = 1;
    out.st_blksize = 1024;
}
