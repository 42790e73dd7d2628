// child_checks.h — running a group of TAP checks in a forked child (for tests that change
// the process itself: credentials, privileges), with the child's checks counted in the
// parent's plan and summary, and dropping root the way a login does. Header-only, static.
#ifndef PAGODA_TESTS_CHILD_CHECKS_H
#define PAGODA_TESTS_CHILD_CHECKS_H

#include "proc_util.h"
#include "tap.h"

#include <grp.h>

// Runs fn() in a forked child. Its ok() lines print with numbers that continue the parent's;
// afterwards the parent adopts the child's counts, and one more check says the child ended
// normally (a crash or a bail in the child is a failure).
static inline void checks_in_child(const char* what, void (*fn)(void))
{
    int counts[2];
    if (pipe(counts) != 0)
        bail("pipe (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        bail("fork (errno=%d)", errno);
    if (pid == 0) {
        close(counts[0]);
        fn();
        fflush(stdout);
        int result[2] = { tap_count, tap_failed };
        write_all(counts[1], result, sizeof result);
        _exit(0);
    }
    close(counts[1]);
    int result[2] = { tap_count, tap_failed };
    ssize_t got = read_full(counts[0], result, sizeof result);
    close(counts[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    tap_count = result[0];
    tap_failed = result[1];
    ok(got == (ssize_t)sizeof result && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the child ran to the end (%s)",
        what, describe_wait_status(status));
}

// Become an ordinary user: supplementary groups, then the gid, then the uid (after which
// none of it could be changed any more). Bails out if any step fails.
static inline void become_user(uid_t uid, gid_t gid, int group_count, const gid_t* groups)
{
    if (setgroups(group_count, groups) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
        bail("dropping to uid %d gid %d (errno=%d)", (int)uid, (int)gid, errno);
}

#endif
