// The boot file system: the initramfs, a cpio "newc" archive passed as a boot module, read
// in place. Read-only; a file's pages come from the archive's bytes through the page cache
// (so exec can map programs from it like from any other file system).
#pragma once

#include "inode.h"

// Builds the tree of the archive at [archive, archive+size). Invalid if it is corrupt.
Result<RefPtr<Inode>> cpio_fs_mount(u8 const* archive, u64 size);
