// The tunables of /proc/sys/fs that Pagoda has: pipe-max-size, pipe-user-pages-soft and
// pipe-user-pages-hard (fs/pipe_limits.h) and lease-break-time (fs/lease_list.h). Readable,
// and writable by root, as Linux's.
#pragma once

#include "kernel/lib/result.h"
#include "text_builder.h"

class Process;

void fill_pipe_max_size(TextBuilder&, Process&);
void fill_pipe_user_pages_soft(TextBuilder&, Process&);
void fill_pipe_user_pages_hard(TextBuilder&, Process&);
// pipe-max-size: a decimal number, rounded up as F_SETPIPE_SZ rounds (a power of two of
// pages, at least one); EINVAL above 2^31 or for anything but a number (Linux's
// proc_dopipe_max_size).
Result<void> set_pipe_max_size(char const* text, usize length);
// The user limits: any unsigned number of pages, 0 meaning none (proc_doulongvec_minmax).
Result<void> set_pipe_user_pages_soft(char const* text, usize length);
Result<void> set_pipe_user_pages_hard(char const* text, usize length);
void fill_lease_break_time(TextBuilder&, Process&);
// lease-break-time: any int, in seconds (proc_dointvec): EINVAL outside INT_MIN..INT_MAX.
Result<void> set_lease_break_time(char const* text, usize length);
