// hello — the smallest system test: a musl static binary that writes to stdout.
// Checks that write() returns the byte count, that a zero-length write returns 0, and
// that bad descriptors and bad user pointers give EBADF/EFAULT rather than a crash.
#include "tap.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    tap_plan(6);

    // stdio first, so its buffer is set up; tap lines are flushed one by one.
    printf("# Hello from a musl static binary!\n");
    fflush(stdout);

    static const char greeting[] = "# hello, world (via write)\n";
    ssize_t n = write(1, greeting, sizeof greeting - 1);
    ok(n == (ssize_t)(sizeof greeting - 1), "write(1, greeting) returns its length (%zd)", n);

    n = write(1, greeting, 0);
    ok(n == 0, "zero-length write returns 0 (%zd)", n);

    // A buffer larger than one page, crossing a page boundary.
    static char big[6000];
    memset(big, '#', sizeof big);
    big[sizeof big - 1] = '\n';
    n = write(1, big, sizeof big);
    ok(n == (ssize_t)sizeof big, "write of %zu bytes returns %zd", sizeof big, n);

    errno = 0;
    n = write(-1, greeting, 5);
    ok(n == -1 && errno == EBADF, "write to fd -1 fails with EBADF (n=%zd errno=%d)", n, errno);

    errno = 0;
    n = write(1234, greeting, 5);
    ok(n == -1 && errno == EBADF, "write to unopened fd 1234 fails with EBADF (n=%zd errno=%d)", n, errno);

    errno = 0;
    n = write(1, (const void*)16, 5);
    ok(n == -1 && errno == EFAULT, "write from an unmapped buffer fails with EFAULT (n=%zd errno=%d)", n, errno);

    return tap_done();
}
