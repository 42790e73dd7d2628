// /proc: text files generated on open from the kernel's live state, in Linux's formats:
// vmstat, meminfo, cmdline, and per process (/proc/<pid>, /proc/self) maps, stat, status,
// cmdline, pagemap and the exe link.
#pragma once

#include "kernel/fs/inode.h"

Result<RefPtr<Inode>> procfs_create_root();
