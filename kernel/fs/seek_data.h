// lseek's SEEK_DATA and SEEK_HOLE on a regular file, as Linux answers them:
//
//   memory-only files (tmpfs, memfd)   data is what the page cache holds (it is their only
//                                      copy: a page never written is a hole), page by page,
//                                      as shmem_file_llseek sees it
//   files on a disk or the initramfs   the whole file is data and the only hole is at its
//                                      end, as generic_file_llseek answers for ext2 and ramfs
//
// From `offset` at or past the end (or negative): ENXIO. Otherwise the first data (or hole)
// at or after `offset`; the end of the file counts as a hole.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class Inode;

enum class SeekFor {
    Data,
    Hole
};
// Invalid for an inode that is not a regular file.
Result<u64> seek_data_or_hole(Inode&, u64 size, i64 offset, SeekFor);
