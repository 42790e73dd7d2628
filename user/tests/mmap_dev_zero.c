// mmap_dev_zero — mappings of /dev/zero are anonymous memory, as on Linux:
//   - MAP_PRIVATE: zeros, writable, private (a fork child's store stays in the child);
//   - MAP_SHARED: zeros, and shared with a fork child (its store is seen by the parent);
//     on Pagoda its pages are shared anonymous memory (nr_file_pages grows by the pages
//     touched);
//   - a descriptor opened read-only maps MAP_SHARED PROT_READ, but may not make it
//     writable (mmap PROT_WRITE and mprotect PROT_WRITE: EACCES); MAP_PRIVATE may;
//   - /dev/null cannot be mapped (ENODEV).
#include "mem_util.h"

static unsigned char* target;

static void child_stores(void* unused)
{
    (void)unused;
    target[10] = 0x77;
}

int main(void)
{
    int fd = open("/dev/zero", O_RDWR);
    if (fd < 0)
        bail("cannot open /dev/zero (errno=%d)", errno);
    unsigned char* private_zero = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!ok(private_zero != MAP_FAILED, "MAP_PRIVATE of /dev/zero (errno=%d)", errno))
        bail("no private mapping");
    ok(all_zero(private_zero, 2 * PAGE), "reads zeros");
    private_zero[5] = 5;
    target = private_zero;
    int st = status_of_child(child_stores, NULL);
    ok(st == 0 && private_zero[5] == 5 && private_zero[10] == 0, "writable and private: a child's store stays in the child");

    static struct vmstat before, after;
    vmstat_read(&after);
    vmstat_read(&before);
    unsigned char* shared_zero = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ok(shared_zero != MAP_FAILED, "MAP_SHARED of /dev/zero (errno=%d)", errno))
        bail("no shared mapping");
    shared_zero[0] = 1;
    shared_zero[3 * PAGE] = 3;
    vmstat_read(&after);
    ok(all_zero(shared_zero + 1, PAGE - 1), "reads zeros");
    target = shared_zero;
    st = status_of_child(child_stores, NULL);
    ok(st == 0 && shared_zero[10] == 0x77, "shared with a fork child: its store is seen by the parent");
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "nr_file_pages") == 2,
            "its pages are shared anonymous memory, two of them touched (nr_file_pages %+lld)",
            vmstat_delta(&before, &after, "nr_file_pages"));
    else
        skip("not Pagoda", "its pages are shared anonymous memory");
    close(fd);

    int read_only = open("/dev/zero", O_RDONLY);
    unsigned char* r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, read_only, 0);
    ok(r != MAP_FAILED && r[0] == 0, "a read-only descriptor maps MAP_SHARED PROT_READ (errno=%d)", errno);
    int e = errno_of(mprotect(r, PAGE, PROT_READ | PROT_WRITE));
    ok(e == EACCES, "but mprotect(PROT_WRITE) of it is EACCES (errno=%d)", e);
    void* w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0);
    e = w == MAP_FAILED ? errno : 0;
    ok(e == EACCES, "and so is a MAP_SHARED PROT_WRITE mapping of it (errno=%d)", e);
    unsigned char* pw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, read_only, 0);
    ok(pw != MAP_FAILED, "MAP_PRIVATE PROT_WRITE of it is fine (errno=%d)", errno);
    if (pw != MAP_FAILED)
        pw[0] = 1;

    int null_fd = open("/dev/null", O_RDWR);
    void* n = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, null_fd, 0);
    e = n == MAP_FAILED ? errno : 0;
    ok(e == ENODEV, "/dev/null cannot be mapped: ENODEV (errno=%d)", e);
    return tap_done();
}
