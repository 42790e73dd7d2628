// /proc/sys/vm/drop_caches: what writing 1, 2, 3 (or 4) to it drops, as Linux's
// fs/drop_caches.c — nothing is written back first (sync() before it to drop more):
//   1  every clean page-cache page no process maps (mm/reclaim.h, drop_clean_unmapped_pages);
//   2  Linux's dentries and inodes: Pagoda keeps no dentry cache, and its ext2 inode objects
//      hold nothing read from the disk; what it does cache of names and inodes is ext2's
//      clean metadata blocks — inode tables, directories, indirect blocks, bitmaps — and
//      those go (ext2_drop_clean_metadata);
//   3  both; 4 (a bit of its own) stops the one log line each write makes.
// Reading gives the last value written. Values outside 1..4 are EINVAL, as on Linux 6.1.
#pragma once

#include "kernel/lib/result.h"
#include "text_builder.h"

class Process;

void fill_drop_caches(TextBuilder&, Process&);
Result<void> set_drop_caches(char const* text, usize length);
