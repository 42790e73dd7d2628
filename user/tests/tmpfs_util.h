// tmpfs_util.h — a tmpfs a test may fill to its limit without filling the host.
//
// The limit checks need a tmpfs that is allowed to become full:
//   - on Linux as root: a tmpfs of our own (mount options from the test, e.g.
//     "size=8m,nr_inodes=300"), mounted on a fresh directory in a private mount namespace,
//     so nothing of it is seen outside the test and the host's /tmp is never touched;
//   - on Pagoda: /tmp itself, whose defaults are Linux's (half of RAM, as many inodes as half
//     of RAM has pages), in a fresh directory;
//   - otherwise (Linux, not root): a fresh directory in /tmp that the test fills only up to
//     a small bound, skipping the checks that need the limit.
#ifndef PAGODA_TESTS_TMPFS_UTIL_H
#define PAGODA_TESTS_TMPFS_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE // unshare, CLONE_NEWNS: include this header first
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define TMPFS_MAGIC_NUMBER 0x01021994

enum scratch_kind {
    SCRATCH_OWN_TMPFS, // Linux, root: a private tmpfs mounted with the test's options
    SCRATCH_PAGODA_TMP, // Pagoda: a directory in /tmp
    SCRATCH_BOUNDED, // neither: a directory in /tmp, to be filled only a little
};

static char scratch_dir[64];
static enum scratch_kind scratch_kind_used;

// Makes the scratch directory (scratch_dir) and says what it is. `pagoda`: the kernel is
// Pagoda (vmstat_is_pagoda). Exits through the caller's bail on failure: returns -1.
static inline int scratch_tmpfs_open(const char* name, const char* mount_options, int pagoda)
{
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/%s.XXXXXX", name);
    if (!mkdtemp(scratch_dir))
        return -1;
    scratch_kind_used = pagoda ? SCRATCH_PAGODA_TMP : SCRATCH_BOUNDED;
    if (pagoda)
        return 0;
    // A private mount namespace whose mounts do not propagate back to the host's.
    if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0
        && mount("tmpfs", scratch_dir, "tmpfs", 0, mount_options) == 0)
        scratch_kind_used = SCRATCH_OWN_TMPFS;
    return 0;
}

// True where the tmpfs may be filled to its limit.
static inline int scratch_fillable(void) { return scratch_kind_used != SCRATCH_BOUNDED; }

static inline const char* scratch_description(void)
{
    switch (scratch_kind_used) {
    case SCRATCH_OWN_TMPFS:
        return "a private tmpfs";
    case SCRATCH_PAGODA_TMP:
        return "Pagoda's /tmp";
    default:
        return "a directory in /tmp (bounded: not root, no private tmpfs)";
    }
}

static inline void scratch_path(char* out, size_t cap, const char* file)
{
    snprintf(out, cap, "%s/%s", scratch_dir, file);
}

// Removes the directory (which the test has emptied), unmounting our own tmpfs first.
static inline int scratch_tmpfs_close(void)
{
    if (scratch_kind_used == SCRATCH_OWN_TMPFS && umount(scratch_dir) != 0)
        return -1;
    return rmdir(scratch_dir);
}

#endif
