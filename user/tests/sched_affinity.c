// sched_affinity — sched_getaffinity/sched_setaffinity as Linux checks them:
//   - getaffinity returns the size it wrote (a multiple of 8, at most the buffer), with CPU 0
//     among the set bits and as many CPUs as sysconf(_SC_NPROCESSORS_ONLN) says at most;
//   - a length that is not a multiple of 8 or too small for the CPUs → EINVAL; a pid that
//     does not exist → ESRCH; a bad buffer → EFAULT;
//   - setaffinity to CPU 0 works and getaffinity then shows exactly CPU 0; an empty mask →
//     EINVAL.
#include "tap.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

static long get(int pid, unsigned long length, void* mask) { return syscall(SYS_sched_getaffinity, pid, length, mask); }
static long set(int pid, unsigned long length, const void* mask) { return syscall(SYS_sched_setaffinity, pid, length, mask); }

static int bits(const unsigned long* mask, long bytes)
{
    int count = 0;
    for (long i = 0; i < bytes / 8; ++i)
        count += __builtin_popcountl(mask[i]);
    return count;
}

int main(void)
{
    unsigned long mask[128] = { 0 }; // 8192 CPUs
    long size = get(0, sizeof mask, mask);
    ok(size > 0 && size % 8 == 0 && size <= (long)sizeof mask, "getaffinity returns the bytes written (%ld)", size);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    ok((mask[0] & 1) && bits(mask, size) >= 1 && bits(mask, size) <= online, "CPU 0 is set, %d CPUs of %ld online",
        bits(mask, size), online);
    errno = 0;
    ok(get(0, 7, mask) == -1 && errno == EINVAL, "a length of 7: EINVAL (errno=%d)", errno);
    errno = 0;
    ok(get(0, 0, mask) == -1 && errno == EINVAL, "a length of 0: EINVAL (errno=%d)", errno);
    errno = 0;
    ok(get(0x3fffffff, sizeof mask, mask) == -1 && errno == ESRCH, "a pid that does not exist: ESRCH (errno=%d)", errno);
    errno = 0;
    ok(get(0, sizeof mask, (void*)8) == -1 && errno == EFAULT, "a bad buffer: EFAULT (errno=%d)", errno);
    ok(get(getpid(), sizeof mask, mask) == size, "pid = getpid() is the caller too");

    unsigned long cpu0[128] = { 1 };
    ok(set(0, sizeof cpu0, cpu0) == 0, "setaffinity to CPU 0 (errno=%d)", errno);
    unsigned long now[128] = { 0 };
    size = get(0, sizeof now, now);
    ok(size > 0 && now[0] == 1 && bits(now, size) == 1, "getaffinity shows exactly CPU 0");
    unsigned long none[128] = { 0 };
    errno = 0;
    ok(set(0, sizeof none, none) == -1 && errno == EINVAL, "an empty mask: EINVAL (errno=%d)", errno);
    return tap_done();
}
