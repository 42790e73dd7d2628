// pipe2 and socketpair hand back two descriptors at once, through an int[2] in user memory.
#pragma once

#include "kernel/fs/file.h"
#include "user_memory.h"

// Installs `first` and `second` in the caller's descriptor table and writes their numbers to
// `address`. On any failure (the table full, the address bad) neither stays installed.
Result<i64> install_descriptor_pair(RefPtr<OpenFile> first, RefPtr<OpenFile> second, bool close_on_exec, UserAddress address);
