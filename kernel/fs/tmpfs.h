// tmpfs: a file system that lives only in memory. Directories are lists of entries; a
// regular file's bytes are the pages of its PageCache, which no Pager backs (so they are
// never written anywhere and never evicted). Mounted at /tmp.
//
// Nothing can take tmpfs pages back, so an instance is limited as Linux limits it by
// default: its files may hold half of RAM (write() then fails with ENOSPC, a store through
// a mapping into a hole gets SIGBUS) and it may have as many inodes as half of RAM has pages
// (creating more fails with ENOSPC; a hard link counts as an inode). statfs() reports both.
#pragma once

#include "inode.h"

// What mount(2) may ask of a new instance ("size=", "nr_inodes=", "mode=", MS_RDONLY);
// 0 for a size or count means Linux's default, half of RAM.
struct TmpfsOptions {
    u64 max_pages { 0 };
    u64 max_inodes { 0 };
    u32 root_mode { 01777 };
    bool read_only { false };
};
// A new, empty instance sized from the machine's memory (after the frame allocator is up).
Result<RefPtr<Inode>> tmpfs_create_root(TmpfsOptions = {});
