// capabilities — capget/capset as Linux's default rules make them for root and others:
// root's effective and permitted sets are full (bits 0..CAP_LAST_CAP as
// /proc/sys/kernel/cap_last_cap or 40, less what a container's bounding set drops),
// inheritable empty; after setresuid to nobody with a
// saved uid of 0 the effective set is empty but permitted kept; with all three ids nobody,
// both are empty; an unknown version is EINVAL with the preferred one (0x20080522) written
// back, and with a NULL data pointer a probe that returns 0; capset with the sets unchanged
// succeeds, adding a capability the caller lacks is EPERM; another pid's sets: a missing
// one is ESRCH.
#include "tap.h"
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// linux/capability.h (musl-gcc has no kernel headers): the header and one 32-bit word of
// each set.
#define _LINUX_CAPABILITY_VERSION_3 0x20080522
struct __user_cap_header_struct {
    unsigned version;
    int pid;
};
struct __user_cap_data_struct {
    unsigned effective, permitted, inheritable;
};

static int capget_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d) { return (int)syscall(SYS_capget, h, d); }
static int capset_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d) { return (int)syscall(SYS_capset, h, d); }

// Root's sets: every capability up to cap_last_cap, less what the bounding set of this
// machine leaves out (a container's host may drop some; /proc/self/status shows CapBnd).
static unsigned long long full_set(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long bounding = 0;
    int have_bounding = 0;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "CapBnd: %llx", &bounding) == 1)
            have_bounding = 1;
    if (status)
        fclose(status);
    if (have_bounding)
        return bounding;
    int last = 40;
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    if (f) {
        if (fscanf(f, "%d", &last) != 1)
            last = 40;
        fclose(f);
    }
    return (1ULL << (last + 1)) - 1;
}

// The effective and permitted sets of this process, as 64-bit masks.
static int sets(unsigned long long *effective, unsigned long long *permitted)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = { 0 };
    if (capget_(&h, d) != 0)
        return -1;
    *effective = d[0].effective | (unsigned long long)d[1].effective << 32;
    *permitted = d[0].permitted | (unsigned long long)d[1].permitted << 32;
    return (int)(d[0].inheritable | d[1].inheritable);
}

int main(void)
{
    if (getuid() != 0) {
        skip("not root", "root's sets");
        return tap_done();
    }
    unsigned long long effective = 0, permitted = 0, full = full_set();
    int inheritable = sets(&effective, &permitted);
    ok(inheritable == 0 && effective == full && permitted == full,
        "root: effective and permitted full (%#llx, %#llx; full %#llx), inheritable empty", effective, permitted, full);

    struct __user_cap_header_struct h = { 0x12345678, 0 };
    struct __user_cap_data_struct d[2] = { 0 };
    errno = 0;
    ok(capget_(&h, d) == -1 && errno == EINVAL && h.version == _LINUX_CAPABILITY_VERSION_3,
        "an unknown version: EINVAL, the preferred version written back (%#x)", h.version);
    h.version = 0x12345678;
    ok(capget_(&h, NULL) == 0 && h.version == _LINUX_CAPABILITY_VERSION_3, "the probe with NULL data returns 0");
    h = (struct __user_cap_header_struct) { _LINUX_CAPABILITY_VERSION_3, 999999 };
    errno = 0;
    ok(capget_(&h, d) == -1 && errno == ESRCH, "a missing pid: ESRCH (%d)", errno);

    h = (struct __user_cap_header_struct) { _LINUX_CAPABILITY_VERSION_3, 0 };
    capget_(&h, d);
    ok(capset_(&h, d) == 0, "capset with the sets unchanged (errno %d)", errno);

    pid_t child = fork();
    if (child == 0) {
        int failed = 0;
        if (setresuid(65534, 65534, 0) != 0)
            _exit(100);
        if (sets(&effective, &permitted) != 0 || effective != 0 || permitted != full)
            failed |= 1;
        struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct cd[2] = { { 1, 1, 0 }, { 0, 0, 0 } };
        if (setresuid(65534, 65534, 65534) != 0)
            _exit(101);
        if (sets(&effective, &permitted) != 0 || effective != 0 || permitted != 0)
            failed |= 2;
        errno = 0;
        if (capset_(&ch, cd) != -1 || errno != EPERM)
            failed |= 4;
        _exit(failed);
    }
    int status;
    waitpid(child, &status, 0);
    int failed = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    ok(failed < 100 && !(failed & 1), "euid nobody, saved uid 0: effective empty, permitted full (status %#x)", status);
    ok(failed < 100 && !(failed & 2), "all ids nobody: both empty");
    ok(failed < 100 && !(failed & 4), "adding a capability it lacks: EPERM");
    return tap_done();
}
