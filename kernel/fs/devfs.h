// /dev: the few device files programs expect — null, zero, console, tty.
#pragma once

#include "inode.h"

Result<RefPtr<Inode>> devfs_create_root();
