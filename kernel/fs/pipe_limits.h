// The limits on pipe buffers that /proc/sys/fs sets, kept as Linux's fs/pipe.c keeps them:
//
//   pipe-max-size         the largest size F_SETPIPE_SZ grants without CAP_SYS_RESOURCE
//                         (1 MiB; a power of two of pages, as round_pipe_size makes it)
//   pipe-user-pages-soft  pages a user's pipes may hold before that user's new pipes get
//                         2 pages instead of 16, and F_SETPIPE_SZ may not grow one (16384)
//   pipe-user-pages-hard  pages beyond which a user gets no new pipe (ENFILE) and no
//                         growth (0: no limit)
//
// Pages are charged to the real uid of whoever made the pipe (Linux's user_struct), whatever
// the pipe holds; the limits bind only a process without CAP_SYS_RESOURCE and CAP_SYS_ADMIN
// (here: whose euid is not 0, see lib/credentials.h).
#pragma once

#include "kernel/lib/credentials.h"
#include "kernel/lib/result.h"

struct PipeLimits {
    static constexpr u64 MOST_BYTES = u64(1) << 31; // F_SETPIPE_SZ's and pipe-max-size's ceiling
    u64 max_size { 1024 * 1024 };
    u64 user_pages_soft { 16384 };
    u64 user_pages_hard { 0 };
};
PipeLimits& pipe_limits();

// Linux's round_pipe_size: the pages of a pipe of at least `bytes` (at least one page, a
// power of two), or 0 above MOST_BYTES.
u64 pipe_pages_for(u64 bytes);

// Who makes or resizes a pipe, as the limits see them.
struct PipeUser {
    u32 uid; // the real uid, whom the pages are charged to
    bool bound_by_limits; // holds neither CAP_SYS_RESOURCE nor CAP_SYS_ADMIN
    static PipeUser of(Credentials const& who) { return { who.uid, !who.is_privileged() }; }
};

// Moves `uid`'s charge from `old_pages` to `new_pages` (one pipe's) and returns the user's
// total after it (Linux's account_pipe_buffers). NoMemory if a first charge finds no room
// for the user's record.
Result<u64> charge_pipe_pages(u32 uid, u64 old_pages, u64 new_pages);
// The pages charged to `uid` now.
u64 pipe_pages_charged(u32 uid);
