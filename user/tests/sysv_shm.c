// sysv_shm — System V shared memory (shmget, shmat, shmdt, shmctl), as on Linux:
//   - a segment of 10000 bytes is three pages; IPC_STAT reports its size, creator, mode and
//     attaches; shmat returns a page-aligned address, /proc/self/maps names the mapping
//     "/SYSV<key> (deleted)"; a second attach maps the same frames;
//   - a fork child inherits the attach (shm_nattch 2), its stores reach the parent; the
//     child's exec drops it (nattch seen by the new program), and the new program — which
//     shares nothing with the parent — finds the segment by its key and attaches it;
//   - IPC_RMID of an attached segment marks it (SHM_DEST, key IPC_PRIVATE, the key finds
//     nothing), it still works and may still be attached; it goes with its last detach;
//   - the errors: EEXIST, ENOENT, EINVAL (sizes, ids, addresses, commands), EFAULT, EACCES
//     and EPERM for an unprivileged user, SHM_RDONLY stores are SIGSEGV and mprotect may
//     not make such an attach writable; SHM_RND rounds, SHM_REMAP replaces;
//   - IPC_INFO agrees with /proc/sys/kernel/shm*, SHM_INFO counts the segments, SHM_STAT
//     finds one by slot index;
//   - on Pagoda, the VM counters show the mechanism: the second attach and the fork child
//     fault the pages in from the segment's cache (file_fault) with no new frame, no copy
//     and no zero fill; the last detach of a removed segment gives its pages back.
// Every segment made is removed at exit, so the host keeps none.
#define _GNU_SOURCE
#include "child_checks.h"
#include "mem_util.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define SIZE 10000 // three pages
#define PAGES 3

static int made[16];
static int made_count;

static void remove_all(void)
{
    for (int i = 0; i < made_count; ++i)
        shmctl(made[i], IPC_RMID, NULL);
}

static int make(key_t key, size_t size, int flags)
{
    int id = shmget(key, size, flags);
    if (id >= 0 && made_count < 16)
        made[made_count++] = id;
    return id;
}

static long raw_shmctl(int id, int command, void* buffer) { return syscall(SYS_shmctl, id, command, buffer); }

static struct shmid_ds stat_of(int id)
{
    struct shmid_ds ds;
    memset(&ds, 0xee, sizeof ds);
    if (shmctl(id, IPC_STAT, &ds) != 0)
        ds.shm_nattch = (shmatt_t)-1;
    return ds;
}

static unsigned long read_number(const char* path)
{
    char text[64] = { 0 };
    if (read_whole_file(path, text, sizeof text) < 0)
        return 0;
    return strtoul(text, NULL, 10);
}

// The program exec'd by the fork child: argv = self --exec-child ID KEY. Exit status 0 if
// the inherited attach went with exec (nattch 1: the parent's), the key finds the same
// segment and it reads the parent's message and stores a reply; else a number per failure.
static int exec_child(int id, key_t key)
{
    struct shmid_ds ds = stat_of(id);
    if (ds.shm_nattch != 1)
        return 10 + (int)ds.shm_nattch;
    int found = shmget(key, 0, 0);
    if (found != id)
        return 2;
    char* p = shmat(found, NULL, 0);
    if (p == (void*)-1)
        return 3;
    if (strcmp(p + PAGE, "from the parent") != 0)
        return 4;
    strcpy(p + 2 * PAGE, "from the new program");
    if (stat_of(id).shm_nattch != 2 || shmdt(p) != 0)
        return 5;
    return 0;
}

static sigjmp_buf segv_jump;
static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(segv_jump, 1);
}

// Whether a store at `p` gets SIGSEGV.
static int store_faults(volatile char* p)
{
    struct sigaction action = { .sa_handler = on_segv }, old;
    sigaction(SIGSEGV, &action, &old);
    int faulted = 1;
    if (sigsetjmp(segv_jump, 1) == 0) {
        *p = 1;
        faulted = 0;
    }
    sigaction(SIGSEGV, &old, NULL);
    return faulted;
}

static int shared_id;
static void unprivileged_checks(void)
{
    become_user(65534, 65534, 0, NULL);
    struct shmid_ds ds;
    ok(shmat(shared_id, NULL, 0) == (void*)-1 && errno == EACCES, "nobody: shmat of a 0604 segment read-write is EACCES");
    void* p = shmat(shared_id, NULL, SHM_RDONLY);
    ok(p != (void*)-1, "nobody: shmat SHM_RDONLY of it is allowed (errno=%d)", errno);
    ok(shmctl(shared_id, IPC_STAT, &ds) == 0, "nobody: IPC_STAT of it is allowed (errno=%d)", errno);
    ok(shmctl(shared_id, IPC_RMID, NULL) == -1 && errno == EPERM, "nobody: IPC_RMID of root's segment is EPERM (errno=%d)", errno);
    ok(shmctl(shared_id, IPC_SET, &ds) == -1 && errno == EPERM, "nobody: IPC_SET of it is EPERM (errno=%d)", errno);
    ok(shmctl(shared_id, SHM_LOCK, NULL) == -1 && errno == EPERM, "nobody: SHM_LOCK of it is EPERM (errno=%d)", errno);
    if (p != (void*)-1)
        shmdt(p);
}

static void unprivileged_denied(void)
{
    become_user(65534, 65534, 0, NULL);
    struct shmid_ds ds;
    ok(shmctl(shared_id, IPC_STAT, &ds) == -1 && errno == EACCES, "nobody: IPC_STAT of a 0600 segment is EACCES (errno=%d)",
        errno);
    ok(shmat(shared_id, NULL, SHM_RDONLY) == (void*)-1 && errno == EACCES, "nobody: shmat of it is EACCES (errno=%d)", errno);
}

int main(int argc, char** argv)
{
    if (argc == 4 && strcmp(argv[1], "--exec-child") == 0)
        return exec_child(atoi(argv[2]), (key_t)strtol(argv[3], NULL, 0));
    atexit(remove_all);

    // --- a private segment: sizes, stat, attach, maps ---
    int id = make(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
    if (!ok(id >= 0, "shmget(IPC_PRIVATE, 10000, IPC_CREAT|0600) (errno=%d)", errno))
        bail("no segment");
    struct shmid_ds ds = stat_of(id);
    ok(ds.shm_segsz == SIZE && ds.shm_nattch == 0 && ds.shm_cpid == getpid() && ds.shm_lpid == 0 && ds.shm_perm.__key == 0
            && (ds.shm_perm.mode & 0777) == 0600 && ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid()
            && ds.shm_atime == 0 && ds.shm_ctime > 0,
        "IPC_STAT: size 10000, no attach, our pid, mode 0600, key 0 (size %zu nattch %lu mode %o)", ds.shm_segsz,
        (unsigned long)ds.shm_nattch, ds.shm_perm.mode);
    static struct vmstat v0, v1, v2, v3, v4, before_rmid, after_detach;
    // Touch every snapshot and the reader now, so that no fault of their own lands between two.
    memset(&v1, 0, sizeof v1), memset(&v2, 0, sizeof v2), memset(&v3, 0, sizeof v3), memset(&v4, 0, sizeof v4);
    memset(&before_rmid, 0, sizeof before_rmid), memset(&after_detach, 0, sizeof after_detach);
    vmstat_read(&v0);
    char* a = shmat(id, NULL, 0);
    if (!ok(a != (void*)-1 && ((uintptr_t)a & (PAGE - 1)) == 0, "shmat(NULL) gives a page-aligned address (errno=%d)", errno))
        bail("no attach");
    ds = stat_of(id);
    ok(ds.shm_nattch == 1 && ds.shm_lpid == getpid() && ds.shm_atime > 0, "attached: nattch 1, lpid and atime set (nattch %lu)",
        (unsigned long)ds.shm_nattch);
    ok(a[0] == 0 && a[SIZE - 1] == 0 && a[PAGES * PAGE - 1] == 0, "a new segment reads as zeros, to the end of its last page");
    ok(maps_names(a, "/SYSV00000000 (deleted)"), "/proc/self/maps names it /SYSV00000000 (deleted)");
    for (int i = 0; i < PAGES; ++i)
        a[i * PAGE + 7] = (char)(0x40 + i);
    strcpy(a + PAGE + 100, "from the parent");

    vmstat_read(&v1);
    char* b = shmat(id, NULL, SHM_RDONLY);
    ok(b != (void*)-1 && b != a, "a second, read-only attach at another address (errno=%d)", errno);
    unsigned sum = 0;
    for (int i = 0; i < PAGES; ++i)
        sum += (unsigned char)b[i * PAGE + 7];
    vmstat_read(&v2);
    ok(sum == 0x40 + 0x41 + 0x42 && strcmp(b + PAGE + 100, "from the parent") == 0, "it reads what the first one stored");
    ok(stat_of(id).shm_nattch == 2, "nattch 2");
    if (frame_of(a) && frame_of(b + 2 * PAGE))
        ok(frame_of(a) == frame_of(b) && frame_of(a + 2 * PAGE) == frame_of(b + 2 * PAGE), "both attaches map the same frames");
    else
        skip("pagemap hides frame numbers", "both attaches map the same frames");
    if (vmstat_is_pagoda(&v1)) {
        long long faults = vmstat_delta(&v1, &v2, "file_fault"), cached = vmstat_delta(&v1, &v2, "nr_file_pages");
        long long zero = vmstat_delta(&v1, &v2, "zero_fill_read") + vmstat_delta(&v1, &v2, "zero_fill_write");
        long long copies = vmstat_delta(&v1, &v2, "cow_copy") + vmstat_delta(&v1, &v2, "file_cow");
        ok(faults == PAGES && cached == 0 && zero == 0 && copies == 0,
            "Pagoda: the second attach faults the 3 cached pages in, no new page, no copy (file_fault %+lld nr_file_pages %+lld "
            "zero fills %+lld copies %+lld)",
            faults, cached, zero, copies);
    } else {
        skip("not Pagoda", "the second attach faults the cached pages in");
    }
    ok(store_faults(b + PAGE), "a store through the SHM_RDONLY attach is SIGSEGV");
    ok(mprotect(b, PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES, "mprotect may not make it writable (errno=%d)", errno);
    ok(shmdt(b) == 0 && stat_of(id).shm_nattch == 1, "shmdt of it: nattch 1");
    ok(store_faults(b) && shmdt(b) == -1 && errno == EINVAL, "detached: a store faults, a second shmdt is EINVAL");

    // --- fork, exec, and a program that finds the segment by key ---
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    self[n] = 0;
    key_t key = ftok(self, 'P');
    int keyed = make(key, SIZE, IPC_CREAT | IPC_EXCL | 0600);
    if (!ok(keyed >= 0, "shmget(ftok key, IPC_CREAT|IPC_EXCL) (errno=%d)", errno))
        bail("no keyed segment");
    char* k = shmat(keyed, NULL, 0);
    if (k == (void*)-1)
        bail("shmat of the keyed segment (errno=%d)", errno);
    char name[40];
    snprintf(name, sizeof name, "/SYSV%08x (deleted)", (unsigned)key);
    ok(maps_names(k, name), "/proc/self/maps names it %s", name);
    strcpy(k + PAGE, "from the parent");
    ok(shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600) == -1 && errno == EEXIST, "IPC_CREAT|IPC_EXCL of its key again: EEXIST");
    ok(shmget(key, SIZE + PAGE, 0) == -1 && errno == EINVAL, "asking its key for more than its size: EINVAL");
    ok(shmget(key, 100, 0) == keyed, "its key with a smaller size finds it");

    int to_child[2], from_child[2];
    if (pipe(to_child) || pipe(from_child))
        bail("pipe (errno=%d)", errno);
    fflush(stdout);
    uint64_t parent_frames[PAGES];
    for (int i = 0; i < PAGES; ++i)
        parent_frames[i] = frame_of(a + i * PAGE);
    vmstat_read(&v3);
    pid_t pid = fork();
    if (pid == 0) {
        char go;
        unsigned child_sum = 0;
        for (int i = 0; i < PAGES; ++i)
            child_sum += (unsigned char)a[i * PAGE + 7];
        a[2 * PAGE + 100] = 0x5a;
        int same_frames = 1;
        for (int i = 0; i < PAGES; ++i)
            same_frames &= frame_of(a + i * PAGE) == parent_frames[i];
        char answer = child_sum != 0x40 + 0x41 + 0x42 ? 'n' : same_frames ? 'y' : 'f';
        if (write(from_child[1], &answer, 1) != 1 || read(to_child[0], &go, 1) != 1)
            _exit(20);
        char key_text[24], id_text[16];
        snprintf(key_text, sizeof key_text, "%d", (int)key);
        snprintf(id_text, sizeof id_text, "%d", keyed);
        char* args[] = { self, "--exec-child", id_text, key_text, NULL };
        execv(self, args);
        _exit(21);
    }
    char answer = 0;
    ok(read(from_child[0], &answer, 1) == 1 && answer != 'n', "a fork child reads the parent's pages");
    if (parent_frames[0])
        ok(answer == 'y', "through the same frames");
    else
        skip("pagemap hides frame numbers", "through the same frames");
    vmstat_read(&v4);
    ok(a[2 * PAGE + 100] == 0x5a, "and its store reaches the parent");
    ok(stat_of(id).shm_nattch == 2 && stat_of(keyed).shm_nattch == 2, "fork inherits both attaches (nattch 2 and 2)");
    if (vmstat_is_pagoda(&v3)) {
        long long cached = vmstat_delta(&v3, &v4, "nr_file_pages"), faults = vmstat_delta(&v3, &v4, "file_fault");
        ok(cached == 0 && faults == 0,
            "Pagoda: fork handed the child the attach's page-table entries: no fault on them, no new page (file_fault %+lld "
            "nr_file_pages %+lld)",
            faults, cached);
    } else {
        skip("not Pagoda", "fork handed the child the attach's page-table entries");
    }
    if (write(to_child[1], "g", 1) != 1)
        bail("pipe write (errno=%d)", errno);
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "after exec the attaches are gone (nattch 1), and the new program finds the segment by key and attaches it (status %d)",
        WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
    ok(strcmp(k + 2 * PAGE, "from the new program") == 0, "the new program's store reaches the parent");
    ds = stat_of(keyed);
    ok(ds.shm_nattch == 1 && stat_of(id).shm_nattch == 1 && ds.shm_lpid == pid, "the child's exit left nattch 1, lpid the child's");

    // --- IPC_RMID of an attached segment ---
    vmstat_read(&before_rmid);
    ok(shmctl(keyed, IPC_RMID, NULL) == 0, "IPC_RMID while attached");
    ds = stat_of(keyed);
    ok(ds.shm_nattch == 1 && (ds.shm_perm.mode & 01000) && ds.shm_perm.__key == 0, "marked SHM_DEST, key IPC_PRIVATE (mode %o)",
        ds.shm_perm.mode);
    ok(shmget(key, 0, 0) == -1 && errno == ENOENT, "its key finds nothing now (ENOENT)");
    ok(strcmp(k + PAGE, "from the parent") == 0, "its pages are still there");
    char* again = shmat(keyed, NULL, 0);
    ok(again != (void*)-1 && stat_of(keyed).shm_nattch == 2, "a removed segment may still be attached (Linux)");
    shmdt(again);
    ok(shmdt(k) == 0 && shmctl(keyed, IPC_STAT, &ds) == -1 && errno == EINVAL, "the last detach destroys it (IPC_STAT: EINVAL)");
    vmstat_read(&after_detach);
    if (vmstat_is_pagoda(&before_rmid))
        ok(vmstat_delta(&before_rmid, &after_detach, "nr_file_pages") == -2,
            "Pagoda: the 2 pages written went with it (nr_file_pages %+lld)",
            vmstat_delta(&before_rmid, &after_detach, "nr_file_pages"));
    else
        skip("not Pagoda", "its pages went with it");

    // --- addresses ---
    char* hole = (char*)map_pages(4);
    munmap(hole, 4 * PAGE);
    ok(shmat(id, hole + 1, 0) == (void*)-1 && errno == EINVAL, "an unaligned address without SHM_RND is EINVAL");
    char* rounded = shmat(id, hole + 1, SHM_RND);
    ok(rounded == hole && rounded[PAGE + 100] == 'f', "SHM_RND rounds it down to the page (%p for %p)", (void*)rounded, (void*)hole);
    ok(shmat(id, hole, 0) == (void*)-1 && errno == EINVAL, "a fixed address over a mapping is EINVAL without SHM_REMAP");
    ok(shmat(id, hole, SHM_REMAP) == hole, "SHM_REMAP replaces it (errno=%d)", errno);
    ok(shmat(id, NULL, SHM_REMAP) == (void*)-1 && errno == EINVAL, "SHM_REMAP without an address is EINVAL");
    ok(stat_of(id).shm_nattch == 2, "the replaced attach went with the replacing one (nattch 2)");
    ok(shmdt(hole) == 0 && stat_of(id).shm_nattch == 1 && shmdt(hole) == -1 && errno == EINVAL,
        "shmdt of it leaves nattch 1; a second is EINVAL");
    ok(shmdt(hole + 1) == -1 && errno == EINVAL, "shmdt of an unaligned address is EINVAL");

    // --- errors ---
    ok(shmget(IPC_PRIVATE, 0, IPC_CREAT) == -1 && errno == EINVAL, "size 0: EINVAL");
    ok(shmget(key, SIZE, 0) == -1 && errno == ENOENT, "a key no segment has, without IPC_CREAT: ENOENT");
    ok(shmat(-1, NULL, 0) == (void*)-1 && errno == EINVAL, "shmat(-1) is EINVAL");
    ok(shmat(id + 32768, NULL, 0) == (void*)-1 && errno == EINVAL, "an id of the same slot but another sequence is EINVAL");
    ok(shmctl(id, 999, &ds) == -1 && errno == EINVAL, "an unknown command is EINVAL");
    ok(raw_shmctl(id, IPC_STAT, (void*)8) == -1 && errno == EFAULT, "IPC_STAT to a bad buffer is EFAULT");
    ok(raw_shmctl(id, IPC_SET, (void*)8) == -1 && errno == EFAULT, "IPC_SET from a bad buffer is EFAULT");

    // --- IPC_SET, permissions ---
    ds = stat_of(id);
    ds.shm_perm.mode = 0604;
    ok(shmctl(id, IPC_SET, &ds) == 0 && (stat_of(id).shm_perm.mode & 0777) == 0604, "IPC_SET changes the mode to 0604");
    shared_id = id;
    checks_in_child("unprivileged", unprivileged_checks);
    ds.shm_perm.mode = 0600;
    shmctl(id, IPC_SET, &ds);
    checks_in_child("unprivileged", unprivileged_denied);
    ok(shmctl(id, SHM_LOCK, NULL) == 0 && (stat_of(id).shm_perm.mode & SHM_LOCKED), "SHM_LOCK sets SHM_LOCKED");
    ok(shmctl(id, SHM_UNLOCK, NULL) == 0 && !(stat_of(id).shm_perm.mode & SHM_LOCKED), "SHM_UNLOCK clears it");

    // --- IPC_INFO, SHM_INFO, SHM_STAT ---
    struct shminfo info;
    int highest = shmctl(0, IPC_INFO, (struct shmid_ds*)&info);
    ok(highest >= 0 && info.shmmin == 1 && info.shmmax == read_number("/proc/sys/kernel/shmmax")
            && info.shmall == read_number("/proc/sys/kernel/shmall") && info.shmmni == read_number("/proc/sys/kernel/shmmni"),
        "IPC_INFO agrees with /proc/sys/kernel/shmmax, shmall, shmmni (shmmni %lu)", (unsigned long)info.shmmni);
    struct shm_info usage;
    ok(shmctl(0, SHM_INFO, (struct shmid_ds*)&usage) == highest && usage.used_ids >= 1 && usage.shm_tot >= PAGES,
        "SHM_INFO: at least our segment, its pages (used %d tot %lu)", usage.used_ids, (unsigned long)usage.shm_tot);
    int found = -1;
    for (int index = 0; index <= highest; ++index)
        if (shmctl(index, SHM_STAT, &ds) == id)
            found = index;
    ok(found == id % 32768, "SHM_STAT of slot %d gives the id back", id % 32768);

    ok(shmdt(a) == 0 && shmctl(id, IPC_RMID, NULL) == 0 && shmctl(id, IPC_STAT, &ds) == -1 && errno == EINVAL,
        "detached and removed: gone at once");
    return tap_done();
}
