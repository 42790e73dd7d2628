// kernel_log — syslog(2), what dmesg reads, without changing the log (the host's is real):
// SIZE_BUFFER is the ring's size; READ_ALL gives whole lines "<level>[seconds.micros] text",
// at most the length asked for; a length of 0 reads nothing, a
// negative one is EINVAL, an unknown action EINVAL; a process without privilege gets EPERM
// (Debian's kernel.dmesg_restrict=1; skipped where it is 0).
#include "tap.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <unistd.h>

static char text[1 << 20];

// Every line of text[0..n) looks like "<6>[   12.345678] something".
static int lines_well_formed(int n)
{
    int lines = 0;
    for (char *line = text; line < text + n; ++lines) {
        unsigned level;
        double seconds;
        char close;
        if (sscanf(line, "<%u>[%lf%c", &level, &seconds, &close) != 3 || close != ']' || level > 7)
            return 0;
        char *end = memchr(line, '\n', (size_t)(text + n - line));
        if (!end)
            return 0;
        line = end + 1;
    }
    return lines;
}

int main(void)
{
    int size = klogctl(10, NULL, 0);
    ok(size >= 4096, "SIZE_BUFFER: %d bytes", size);
    int n = klogctl(3, text, sizeof text);
    ok(n > 0, "READ_ALL: %d bytes of the log (errno %d)", n, errno);
    int lines = n > 0 ? lines_well_formed(n) : 0;
    ok(lines > 0, "whole lines, each <level>[seconds] text (%d lines)", lines);
    int small = klogctl(3, text, 200);
    ok(small >= 0 && small <= 200 && (small == 0 || lines_well_formed(small) > 0), "READ_ALL of 200 bytes: %d, whole lines",
        small);
    ok(klogctl(3, text, 0) == 0, "a length of 0 reads nothing");
    errno = 0;
    ok(klogctl(3, text, -1) == -1 && errno == EINVAL, "a negative length: EINVAL (%d)", errno);
    errno = 0;
    ok(klogctl(77, text, 10) == -1 && errno == EINVAL, "an unknown action: EINVAL (%d)", errno);
    ok(klogctl(9, NULL, 0) >= 0, "SIZE_UNREAD answers");

    FILE *restrict_file = fopen("/proc/sys/kernel/dmesg_restrict", "r");
    int restricted = 1;
    if (restrict_file) {
        if (fscanf(restrict_file, "%d", &restricted) != 1)
            restricted = 1;
        fclose(restrict_file);
    }
    if (!restricted || getuid() != 0) {
        skip("dmesg is not restricted here, or not root", "an unprivileged READ_ALL is EPERM");
    } else {
        pid_t child = fork();
        if (child == 0) {
            if (setuid(65534) != 0)
                _exit(2);
            errno = 0;
            _exit(klogctl(3, text, 100) == -1 && errno == EPERM ? 0 : 1);
        }
        int status;
        waitpid(child, &status, 0);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "an unprivileged READ_ALL is EPERM (status %#x)", status);
    }
    return tap_done();
}
