// mremap — resizing and moving mappings, as Linux does it:
//   - growing where the gap allows keeps the address and the data;
//   - a move (MREMAP_MAYMOVE, no room to grow) carries the pages over: the same physical
//     frames (/proc/self/pagemap) hold the data at the new address, and on Pagoda not one
//     page was filled or copied to do it (zero_fill_write, cow_copy, file_cow unchanged);
//     the old address is gone (SIGSEGV in a child);
//   - shrinking unmaps the tail; without MREMAP_MAYMOVE a blocked growth is ENOMEM;
//   - MREMAP_FIXED replaces what was at the target; MREMAP_DONTUNMAP leaves the old range
//     mapped and empty (zeros);
//   - a page still shared copy-on-write with a fork child moves and stays shared: the
//     child keeps its view and the parent's next write copies it;
//   - a shared file mapping that moves keeps its dirty data (msync writes it; pread sees it);
//   - an old size of 0 makes a second mapping of shared memory; growing shared anonymous
//     memory past its size gives SIGBUS there;
//   - the errnos of bad arguments (raw system calls: EINVAL, EFAULT).
// disk: 16
// args: @DIR@
#define _GNU_SOURCE
#include "mem_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static void* remap(void* old, size_t old_size, size_t new_size, int flags, void* new_address)
{
    long r = syscall(SYS_mremap, old, old_size, new_size, flags, new_address);
    return r == -1 ? MAP_FAILED : (void*)r;
}

// Maps `pages` pages with one more mapped right after them, so they cannot grow in place.
static unsigned char* boxed_pages(size_t pages)
{
    unsigned char* p = free_address(pages + 1);
    if (mmap(p, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED
        || mmap(p + pages * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        bail("cannot map boxed pages (errno=%d)", errno);
    return p;
}

static void grow_in_place(void)
{
    unsigned char* p = free_address(8);
    if (mmap(p, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    p[0] = 11;
    p[PAGE] = 12;
    unsigned char* q = remap(p, 2 * PAGE, 6 * PAGE, 0, NULL);
    ok(q == p && p[0] == 11 && p[PAGE] == 12, "growing into a free gap keeps the address and the data (%p -> %p)", (void*)p,
        (void*)q);
    if (q == p) {
        p[5 * PAGE] = 13;
        ok(p[5 * PAGE] == 13 && p[4 * PAGE] == 0, "the grown pages are fresh, writable memory");
        munmap(p, 6 * PAGE);
    }
}

static void move_keeps_frames(void)
{
    unsigned char* p = boxed_pages(4);
    uint64_t frames[4];
    for (int i = 0; i < 4; ++i) {
        memset(p + i * PAGE, 'a' + i, PAGE);
        frames[i] = frame_of(p + i * PAGE);
    }
    static struct vmstat before, after; // both written once first: their pages are this process's own
    vmstat_read(&after);
    vmstat_read(&before);
    unsigned char* q = remap(p, 4 * PAGE, 8 * PAGE, 0, NULL);
    ok(q == MAP_FAILED && errno == ENOMEM, "no room to grow and no MREMAP_MAYMOVE: ENOMEM (errno=%d)", errno);
    q = remap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, NULL);
    vmstat_read(&after);
    if (!ok(q != MAP_FAILED && q != p, "MREMAP_MAYMOVE moves it (%p -> %p, errno=%d)", (void*)p, (void*)q, errno))
        return;
    int same = 1, data = 1;
    for (int i = 0; i < 4; ++i) {
        same &= frames[i] == frame_of(q + i * PAGE);
        data &= q[i * PAGE] == 'a' + i && q[i * PAGE + PAGE - 1] == 'a' + i;
    }
    ok(data, "the data moved with the mapping");
    if (frames[0] == 0)
        skip("pagemap shows no frame numbers here", "the same frames back the moved pages");
    else
        ok(same, "the same frames back the moved pages (moved, not copied)");
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "zero_fill_write") == 0 && vmstat_delta(&before, &after, "cow_copy") == 0,
            "not one page filled or copied by the move (zero_fill_write %+lld, cow_copy %+lld)",
            vmstat_delta(&before, &after, "zero_fill_write"), vmstat_delta(&before, &after, "cow_copy"));
    else
        skip("not Pagoda", "not one page filled or copied by the move");
    int st = status_of_child(child_read_byte, p);
    ok(killed_by(st, SIGSEGV), "the old address is gone (%s)", describe_wait_status(st));
    q[7 * PAGE] = 1;
    munmap(q, 8 * PAGE);
    munmap(p + 4 * PAGE, PAGE);
}

static void shrink(void)
{
    unsigned char* p = map_pages(4);
    p[0] = 21;
    p[3 * PAGE] = 24;
    unsigned char* q = remap(p, 4 * PAGE, PAGE, 0, NULL);
    ok(q == p && p[0] == 21, "shrinking keeps the head where it is");
    int st = status_of_child(child_read_byte, p + 3 * PAGE);
    ok(killed_by(st, SIGSEGV), "the tail is unmapped (%s)", describe_wait_status(st));
    munmap(p, PAGE);
}

static void fixed_and_dontunmap(void)
{
    unsigned char* p = map_pages(1);
    unsigned char* target = map_pages(2);
    p[0] = 31;
    target[0] = 32;
    target[PAGE] = 33;
    unsigned char* q = remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    ok(q == target && target[0] == 31 && target[PAGE] == 33, "MREMAP_FIXED replaces the target's page, not its neighbour");
    munmap(target, 2 * PAGE);

    p = map_pages(1);
    p[100] = 34;
    q = remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    if (ok(q != MAP_FAILED && q != p && q[100] == 34, "MREMAP_DONTUNMAP moves the data (errno=%d)", errno)) {
        ok(p[100] == 0, "and leaves the old range mapped, empty (reads %d)", p[100]);
        munmap(q, PAGE);
    }
    munmap(p, PAGE);
}

static void after_fork(void)
{
    unsigned char* p = boxed_pages(2);
    p[0] = 41;
    int pipe_to_child[2], pipe_to_parent[2];
    if (pipe(pipe_to_child) != 0 || pipe(pipe_to_parent) != 0)
        bail("pipe failed");
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (read(pipe_to_child[0], &c, 1) != 1)
            _exit(2);
        c = p[0] == 41 ? 'y' : 'n';
        write(pipe_to_parent[1], &c, 1);
        _exit(0);
    }
    static struct vmstat before, after; // both written once first: their pages are this process's own
    vmstat_read(&after);
    vmstat_read(&before);
    unsigned char* q = remap(p, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE, NULL);
    q[0] = 42; // the page is still shared with the child: this copies it
    vmstat_read(&after);
    char c = 'x';
    write(pipe_to_child[1], "g", 1);
    read(pipe_to_parent[0], &c, 1);
    waitpid(pid, NULL, 0);
    ok(q != MAP_FAILED && q[0] == 42 && c == 'y', "a page shared with a fork child moves; the child keeps its view (%c)", c);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "cow_copy") == 1, "the parent's write after the move copies it (cow_copy %+lld)",
            vmstat_delta(&before, &after, "cow_copy"));
    else
        skip("not Pagoda", "the parent's write after the move copies it");
    munmap(q, 3 * PAGE);
    munmap(p + 2 * PAGE, PAGE);
}

static void shared_file(const char* dir)
{
    char path[512];
    file_path(path, sizeof path, dir, "remapped");
    int fd = make_pattern_file(path, 2 * PAGE, 7);
    if (fd < 0)
        bail("cannot create %s (errno=%d)", path, errno);
    unsigned char* p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char* blocker = mmap(p + 2 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    memcpy(p + PAGE + 10, "moved", 5);
    unsigned char* q = remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, free_address(2));
    char back[8] = { 0 };
    int synced = q != MAP_FAILED ? msync(q, 2 * PAGE, MS_SYNC) : -1;
    ok(q != MAP_FAILED && synced == 0 && pread(fd, back, 5, PAGE + 10) == 5 && memcmp(back, "moved", 5) == 0
            && pattern_mismatch(q, 10, 7, 0) < 0,
        "a moved shared file mapping keeps its dirty data: msync writes it (read '%s')", back);
    memcpy(q + 20, "after", 5);
    msync(q, PAGE, MS_SYNC);
    ok(pread(fd, back, 5, 20) == 5 && memcmp(back, "after", 5) == 0, "stores through the new address reach the file");
    munmap(q, 2 * PAGE);
    if (blocker != MAP_FAILED)
        munmap(blocker, PAGE);
    close(fd);
    unlink(path);
}

static void shared_anonymous(void)
{
    unsigned char* p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    p[PAGE] = 51;
    unsigned char* q = remap(p, 0, 2 * PAGE, MREMAP_MAYMOVE, NULL);
    if (ok(q != MAP_FAILED && q != p && q[PAGE] == 51, "old size 0: a second mapping of shared memory (errno=%d)", errno)) {
        q[0] = 52;
        ok(p[0] == 52, "one memory, two addresses");
        munmap(q, 2 * PAGE);
    }
    unsigned char* grown = free_address(4);
    unsigned char* s = mmap(grown, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    q = remap(s, 2 * PAGE, 4 * PAGE, 0, NULL);
    int st = q == s ? status_of_child(child_read_byte, s + 3 * PAGE) : -1;
    ok(q == s && killed_by(st, SIGBUS), "shared anonymous memory grown past its size: SIGBUS there (%s)",
        describe_wait_status(st));
    munmap(s, 4 * PAGE);
    munmap(p, 2 * PAGE);
}

static void errors(void)
{
    unsigned char* p = map_pages(2);
    unsigned char* hole = free_address(4);
    ok(remap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EINVAL, "unaligned address: EINVAL");
    ok(remap(hole, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EFAULT, "nothing mapped there: EFAULT");
    ok(remap(p, 3 * PAGE, 4 * PAGE, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EFAULT,
        "an old range past the end of its mapping: EFAULT (errno=%d)", errno);
    ok(remap(p, PAGE, 0, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EINVAL, "new size 0: EINVAL");
    ok(remap(p, PAGE, PAGE, 8, NULL) == MAP_FAILED && errno == EINVAL, "an unknown flag: EINVAL");
    ok(remap(p, PAGE, PAGE, MREMAP_FIXED, hole) == MAP_FAILED && errno == EINVAL, "MREMAP_FIXED without MAYMOVE: EINVAL");
    ok(remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE) == MAP_FAILED && errno == EINVAL,
        "overlapping old and new ranges: EINVAL");
    ok(remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 1) == MAP_FAILED && errno == EINVAL,
        "an unaligned new address: EINVAL");
    ok(remap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL) == MAP_FAILED && errno == EINVAL,
        "MREMAP_DONTUNMAP with a new size: EINVAL");
    ok(remap(p, 0, PAGE, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EINVAL, "old size 0 of private memory: EINVAL");
    ok(remap(p, PAGE, (size_t)1 << 62, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EINVAL,
        "a new size past user space: EINVAL (errno=%d)", errno);
    munmap(p, 2 * PAGE);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    grow_in_place();
    move_keeps_frames();
    shrink();
    fixed_and_dontunmap();
    after_fork();
    shared_file(dir);
    shared_anonymous();
    errors();
    return tap_done();
}
