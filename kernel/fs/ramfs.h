// The boot file system: the initramfs (a cpio archive passed as a boot module) read in place.
// Files are read-only; their bytes are never copied, which lets exec read ELF images directly.
#pragma once

#include "file.h"

struct RamFsNode {
    char const* path; // absolute, normalized, without the leading '/': "bin/busybox"
    u32 mode;
    u8 const* data;
    u64 size;
    u64 inode;
    u32 mtime;
};

// Indexes the archive; returns how many entries it holds, or Invalid if it is corrupt.
Result<usize> ramfs_mount(u8 const* archive, u64 size);
// Looks up a normalized relative path ("" is the root). Follows no symlinks.
RamFsNode const* ramfs_lookup(char const* path);
RefPtr<File> ramfs_open(RamFsNode const&);
