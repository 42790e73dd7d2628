// The flusher: a kernel thread that wakes every `interval` and writes back page-cache pages
// that have been dirty for longer than `age` (boot options flush_interval= and dirty_age=,
// 5 s and 30 s by default), then writes the file systems' metadata. It is what eventually
// puts bytes written through a mapping on disk when nobody calls msync or fsync.
#pragma once

#include "kernel/lib/types.h"

void flusher_start(u64 interval_ns, u64 age_ns);
// (A writer over the dirty limit writes back itself, before the flusher's age: mm/dirty_limit.h.)
