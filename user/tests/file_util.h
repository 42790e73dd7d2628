// file_util.h — helpers for the memory-mapped file tests: the directory argument of a
// `// disk:` test, files filled with a known per-offset pattern, and running a piece of code
// in a forked child to see which signal (if any) kills it. Header-only, static.
#ifndef PAGODA_TESTS_FILE_UTIL_H
#define PAGODA_TESTS_FILE_UTIL_H

#include "proc_util.h"
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096

// The byte at file offset `offset` of a pattern file made with seed `seed`.
static inline unsigned char pattern_byte(unsigned seed, size_t offset)
{
    return (unsigned char)(offset * 7 + (offset >> 12) * 13 + seed);
}

// The directory a `// disk:` test works in: argv[1] (the runner passes @DIR@: a fresh
// directory on the host, /mnt on Pagoda). Bails out if it is missing or not a directory.
static inline const char* disk_dir(int argc, char** argv)
{
    struct stat st;
    if (argc < 2 || stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode))
        bail("usage: %s DIR (a directory on a real file system; the runner passes @DIR@) (errno=%d)",
            argc > 0 ? argv[0] : "test", errno);
    return argv[1];
}

// path = dir/name (static buffers would clash between calls: the caller supplies one).
static inline char* file_path(char* out, size_t cap, const char* dir, const char* name)
{
    snprintf(out, cap, "%s/%s", dir, name);
    return out;
}

// Create (or truncate) path with `size` bytes of pattern `seed`, written with write() in
// chunks. Returns an O_RDWR descriptor positioned at the end, or -1 with errno.
static inline int make_pattern_file(const char* path, size_t size, unsigned seed)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    static unsigned char chunk[16384];
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof chunk ? size - done : sizeof chunk;
        for (size_t i = 0; i < n; ++i)
            chunk[i] = pattern_byte(seed, done + i);
        if (write_all(fd, chunk, n) < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        done += n;
    }
    return fd;
}

// Writes 3 to /proc/sys/vm/drop_caches (Linux: clean page cache, dentries and inodes
// dropped; Pagoda: its clean unmapped page-cache pages): the next read of a file comes from
// the disk. 0, or the errno (EACCES when not root).
static inline int drop_caches(void)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = write(fd, "3", 1) == 1 ? 0 : errno;
    close(fd);
    return e;
}

// Does [p, p+len) hold pattern `seed` for file offsets starting at `offset`? Returns -1 if so,
// else the index of the first differing byte.
static inline long pattern_mismatch(const volatile unsigned char* p, size_t len, unsigned seed, size_t offset)
{
    for (size_t i = 0; i < len; ++i) {
        if (p[i] != pattern_byte(seed, offset + i))
            return (long)i;
    }
    return -1;
}

// Is [p, p+len) all zero?
static inline int all_zero(const volatile unsigned char* p, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        if (p[i])
            return 0;
    }
    return 1;
}

// Run fn(arg) in a forked child that then exits 0; return its wait status (-1 if fork or
// waitpid failed). A child killed by a signal shows as WIFSIGNALED/WTERMSIG. No handler is
// installed: the default action of SIGSEGV/SIGBUS ends the child.
static inline int status_of_child(void (*fn)(void*), void* arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static inline int killed_by(int status, int sig)
{
    return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

// Children for status_of_child: read or write one byte at the address given.
static inline void child_read_byte(void* address)
{
    volatile unsigned char v = *(volatile unsigned char*)address;
    (void)v;
}

static inline void child_write_byte(void* address)
{
    *(volatile unsigned char*)address = 0x5c;
}

#endif
