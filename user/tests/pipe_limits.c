// The limits on pipe buffers of /proc/sys/fs, as Linux's fs/pipe.c keeps them: pipe-max-size
// (the most F_SETPIPE_SZ gives without CAP_SYS_RESOURCE), pipe-user-pages-soft (past it a
// user's new pipes get 2 pages, not 16, and none may grow) and pipe-user-pages-hard (past it
// no new pipe: ENFILE). Pages are charged to the user who made the pipe and given back when
// it closes; root (CAP_SYS_ADMIN) is not bound by the user limits. The files read as
// numbers, root writes them, EINVAL for what is not a number or beyond 2^31, EACCES for
// others. What changes a tunable runs on Pagoda only (this machine's host is shared).
#define _GNU_SOURCE
#include "child_checks.h"
#include "proc_util.h"
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_SIZE "/proc/sys/fs/pipe-max-size"
#define SOFT "/proc/sys/fs/pipe-user-pages-soft"
#define HARD "/proc/sys/fs/pipe-user-pages-hard"
#define NOBODY 65534
#define MOST_PIPES 1100

static long max_size, soft_pages;
static int on_pagoda;
static int pipes[MOST_PIPES][2];

// The number in a /proc/sys file (one decimal and a newline), or -1.
static long read_number(const char* path)
{
    char text[64];
    ssize_t n = read_whole_file(path, text, sizeof text - 1);
    if (n <= 0 || text[n - 1] != '\n')
        return -1;
    text[n] = '\0';
    char* end;
    long value = strtol(text, &end, 10);
    return *end == '\n' && end != text ? value : -1;
}


static int is_power_of_two(long n) { return n > 0 && (n & (n - 1)) == 0; }

static void root_reads_and_writes(void)
{
    long hard = read_number(HARD);
    ok(is_power_of_two(max_size) && max_size >= 4096 && max_size <= (1L << 31),
        "pipe-max-size reads as a power of two of pages (%ld)", max_size);
    ok(soft_pages >= 0 && hard >= 0, "pipe-user-pages-soft and -hard read as numbers (%ld %ld)", soft_pages, hard);
    if (on_pagoda)
        ok(max_size == 1048576 && soft_pages == 16384 && hard == 0, "Linux's defaults: 1048576, 16384, 0");
    else
        skip("not Pagoda", "Linux's defaults: 1048576, 16384, 0 (this machine may have changed them)");
    char same[32];
    snprintf(same, sizeof same, "%ld\n", max_size);
    int error = write_whole_text(MAX_SIZE, same);
    ok(error == 0 && read_number(MAX_SIZE) == max_size, "root writes pipe-max-size's own value back (errno=%d)", error);
    static const char* const bad[] = { "abc\n", "2147483649\n", "-4096\n", "12x\n" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        error = write_whole_text(MAX_SIZE, bad[i]);
        ok(error == EINVAL && read_number(MAX_SIZE) == max_size, "pipe-max-size refuses \"%.*s\" with EINVAL (errno=%d)",
            (int)strlen(bad[i]) - 1, bad[i], error);
    }
    error = write_whole_text(SOFT, "x\n");
    ok(error == EINVAL, "pipe-user-pages-soft refuses a word with EINVAL (errno=%d)", error);
}

static void root_resizes(void)
{
    int p[2];
    if (pipe(p) != 0)
        bail("pipe (errno=%d)", errno);
    long r = fcntl(p[1], F_SETPIPE_SZ, max_size);
    ok(r == max_size, "root: F_SETPIPE_SZ to pipe-max-size gives it (%ld)", r);
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, max_size * 2);
    if (has_sys_resource())
        ok(r == max_size * 2, "root with CAP_SYS_RESOURCE: twice pipe-max-size is granted (%ld errno=%d)", r, errno);
    else
        ok(r == -1 && errno == EPERM, "root without CAP_SYS_RESOURCE: twice pipe-max-size is EPERM (%ld errno=%d)", r, errno);
    close(p[0]);
    close(p[1]);
}

// As nobody: the sysctl files are root's; pipe-max-size binds F_SETPIPE_SZ.
static void nobody_is_bound(void)
{
    become_user(NOBODY, NOBODY, 0, NULL);
    int error = write_whole_text(MAX_SIZE, "65536\n");
    ok(error == EACCES, "nobody: opening pipe-max-size for writing is EACCES (errno=%d)", error);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe (errno=%d)", errno);
    ok(fcntl(p[0], F_GETPIPE_SZ) == 65536, "nobody: a new pipe holds 65536 bytes");
    long r = fcntl(p[1], F_SETPIPE_SZ, max_size);
    ok(r == max_size, "nobody: F_SETPIPE_SZ to pipe-max-size is granted (%ld)", r);
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, max_size + 1);
    ok(r == -1 && errno == EPERM, "nobody: one byte more is EPERM (%ld errno=%d)", r, errno);
    r = fcntl(p[1], F_SETPIPE_SZ, 4096);
    ok(r == 4096, "nobody: shrinking to one page is granted (%ld)", r);
    close(p[0]);
    close(p[1]);
}

// As nobody: 16 pages a pipe until the soft limit, 2 after it; none may grow then; closing
// pipes gives their pages back.
static void nobody_meets_the_soft_limit(void)
{
    long wanted = soft_pages / 16 + 8;
    struct rlimit files = { wanted * 2 + 32, wanted * 2 + 32 };
    if (setrlimit(RLIMIT_NOFILE, &files) != 0)
        bail("setrlimit NOFILE %ld (errno=%d)", (long)files.rlim_max, errno);
    become_user(NOBODY, NOBODY, 0, NULL);
    int made = 0, full = 0, size = 0;
    while (made < MOST_PIPES && made < wanted) {
        if (pipe(pipes[made]) != 0)
            bail("pipe %d (errno=%d)", made, errno);
        size = fcntl(pipes[made++][0], F_GETPIPE_SZ);
        if (size != 65536)
            break;
        ++full;
    }
    // nobody may already hold some pages in other processes of this machine (none on Pagoda).
    long expected = soft_pages / 16;
    ok(on_pagoda ? full == expected : full <= expected && full >= expected - 8,
        "nobody: %ld pipes of 16 pages fit under pipe-user-pages-soft %ld (%d)", expected, soft_pages, full);
    ok(size == 8192, "nobody: the next pipe gets 2 pages (%d)", size);
    errno = 0;
    long r = fcntl(pipes[0][1], F_SETPIPE_SZ, 131072);
    ok(r == -1 && errno == EPERM, "nobody: past the soft limit no pipe may grow: EPERM (%ld errno=%d)", r, errno);
    r = fcntl(pipes[0][1], F_SETPIPE_SZ, 4096);
    ok(r == 4096, "nobody: but one may shrink (%ld)", r);
    for (int i = 1; i <= 4; ++i) // 64 pages back
        close(pipes[i][0]), close(pipes[i][1]);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe (errno=%d)", errno);
    size = fcntl(p[0], F_GETPIPE_SZ);
    ok(size == 65536, "nobody: after 4 pipes closed, a new pipe has 16 pages again (%d)", size);
}

// Pagoda only (they change the tunables): a smaller pipe-max-size makes nobody's new pipes
// smaller and may not grow past it; pipe-user-pages-hard refuses a new pipe with ENFILE.
static void nobody_under_lowered_limits(void)
{
    become_user(NOBODY, NOBODY, 0, NULL);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe (errno=%d)", errno);
    int size = fcntl(p[0], F_GETPIPE_SZ);
    ok(size == 16384, "pipe-max-size 16384: nobody's new pipe holds 16384 bytes (%d)", size);
    errno = 0;
    long r = fcntl(p[1], F_SETPIPE_SZ, 32768);
    ok(r == -1 && errno == EPERM, "pipe-max-size 16384: growing to 32768 is EPERM (%ld errno=%d)", r, errno);
    int q[3][2], made = 0; // 4 pages each; hard limit 16: the fourth passes it
    while (made < 3 && pipe(q[made]) == 0)
        ++made;
    errno = 0;
    int extra[2];
    int refused = pipe(extra);
    int refused_errno = errno;
    ok(made == 3 && refused == -1 && refused_errno == ENFILE,
        "pipe-user-pages-hard 16: three more pipes of 4 pages, then ENFILE (%d made, errno=%d)", made, refused_errno);
    close(q[0][0]), close(q[0][1]);
    ok(pipe(extra) == 0, "pipe-user-pages-hard 16: with one closed, its 4 pages are given back: a pipe again (errno=%d)", errno);
}

int main(void)
{
    struct utsname name;
    on_pagoda = uname(&name) == 0 && strcmp(name.sysname, "Pagoda") == 0;
    max_size = read_number(MAX_SIZE);
    soft_pages = read_number(SOFT);
    if (max_size < 0 || soft_pages < 0)
        bail("no %s or %s", MAX_SIZE, SOFT);
    if (geteuid() != 0) {
        skip("not root", "the limits need root to be seen from both sides");
        return tap_done();
    }
    root_reads_and_writes();
    root_resizes();
    if (max_size >= 65536)
        checks_in_child("nobody and pipe-max-size", nobody_is_bound);
    if (soft_pages > 0 && soft_pages / 16 + 8 < MOST_PIPES)
        checks_in_child("nobody and the soft limit", nobody_meets_the_soft_limit);
    else
        skip("soft limit too high", "nobody meets pipe-user-pages-soft (%ld)", soft_pages);
    if (on_pagoda) {
        ok(write_whole_text(MAX_SIZE, "16384\n") == 0 && write_whole_text(HARD, "16\n") == 0, "root lowers pipe-max-size and sets -hard");
        checks_in_child("nobody under lowered limits", nobody_under_lowered_limits);
        char text[32];
        snprintf(text, sizeof text, "%ld\n", max_size);
        ok(write_whole_text(MAX_SIZE, text) == 0 && write_whole_text(HARD, "0\n") == 0, "root restores them");
        ok(write_whole_text(MAX_SIZE, "5000\n") == 0 && read_number(MAX_SIZE) == 8192, "pipe-max-size 5000 is rounded to 8192");
        ok(write_whole_text(MAX_SIZE, text) == 0 && read_number(MAX_SIZE) == max_size, "and restored");
    } else {
        skip("not Pagoda", "lowered limits (they would change this machine's tunables)");
    }
    return tap_done();
}
