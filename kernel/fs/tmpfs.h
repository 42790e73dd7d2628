// tmpfs: a file system that lives only in memory. Directories are lists of entries; a
// regular file's bytes are the pages of its PageCache, which no Pager backs (so they are
// never written anywhere and never evicted). Mounted at /tmp.
#pragma once

#include "inode.h"

Result<RefPtr<Inode>> tmpfs_create_root();
