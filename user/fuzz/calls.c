/* calls.c — the system calls the fuzzer makes, with the kind of each argument, and the
 * small assembly stubs for the calls that C cannot make safely (fork-like calls whose child
 * must not touch the parent's stack, rt_sigreturn on a made-up frame). Numbers are Linux
 * x86_64's; the table covers every call in kernel/syscall/syscalls.def and some Pagoda does
 * not implement (which must fail with ENOSYS and nothing else). */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

/* The child of a fork-like call returns 0 in rax and exits at once: no stack, no memory. */
__asm__(".text\n"
        ".globl fuzz_forklike\n"
        "fuzz_forklike:\n"
        "  mov %rdi, %rax\n"
        "  mov %rsi, %rdi\n"
        "  mov %rdx, %rsi\n"
        "  mov %rcx, %rdx\n"
        "  mov %r8, %r10\n"
        "  mov %r9, %r8\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  mov $60, %eax\n"
        "  xor %edi, %edi\n"
        "  syscall\n"
        "  ud2\n"
        "1: ret\n"
        ".globl fuzz_sigreturn\n"
        "fuzz_sigreturn:\n"
        "  mov %rdi, %rsp\n"
        "  mov $15, %eax\n"
        "  syscall\n"
        "  ud2\n"
        ".globl fuzz_restorer\n"
        "fuzz_restorer:\n"
        "  mov $15, %eax\n"
        "  syscall\n"
        "  ud2\n");

/* A handler for fuzzed rt_sigaction: returns for asynchronous signals; for a fault it ends
 * the process (returning would fault again forever). */
void fuzz_signal_handler(int signal)
{
    if (signal == 4 || signal == 7 || signal == 8 || signal == 11 || signal == 5 || signal == 31)
        raw_syscall(60, 100 + signal, 0, 0);
}

#define A(...) { __VA_ARGS__ }
const struct call CALLS[] = {
    { "read", 0, A(K_FD, K_BUF_OUT, K_LEN), 8, 0 },
    { "write", 1, A(K_FD, K_BUF_IN, K_LEN), 8, 0 },
    { "open", 2, A(K_PATH, K_OFLAGS, K_MODE), 8, 0 },
    { "close", 3, A(K_FD), 6, 0 },
    { "stat", 4, A(K_PATH, K_BUF_OUT), 4, 0 },
    { "fstat", 5, A(K_FD, K_BUF_OUT), 4, 0 },
    { "lstat", 6, A(K_PATH, K_BUF_OUT), 3, 0 },
    { "lseek", 8, A(K_FD, K_OFFSET, K_WHENCE), 4, 0 },
    { "mmap", 9, A(K_MADDR, K_MLEN, K_PROT, K_MFLAGS, K_MMFD, K_MOFFSET), 9, F_MEM },
    { "mprotect", 10, A(K_MADDR, K_MLEN, K_PROT), 5, F_MEM },
    { "munmap", 11, A(K_MADDR, K_MLEN), 5, F_MEM },
    { "brk", 12, A(K_BRK), 2, 0 },
    { "rt_sigaction", 13, A(K_SIG, K_SIGACT, K_BUF_OUT, K_SIGSETSIZE), 4, 0 },
    { "rt_sigprocmask", 14, A(K_HOW, K_SIGSET, K_BUF_OUT, K_SIGSETSIZE), 3, 0 },
    { "rt_sigreturn", 15, A(K_NONE), 1, F_CHILD | F_SIGRETURN },
    { "ioctl", 16, A(K_FD, K_IOCTL, K_PTR), 4, 0 },
    { "pread64", 17, A(K_FD, K_BUF_OUT, K_LEN, K_OFFSET), 5, 0 },
    { "pwrite64", 18, A(K_FD, K_BUF_IN, K_LEN, K_OFFSET), 5, 0 },
    { "readv", 19, A(K_FD, K_IOVEC, K_IOVCNT), 4, 0 },
    { "writev", 20, A(K_FD, K_IOVEC, K_IOVCNT), 4, 0 },
    { "access", 21, A(K_PATH, K_AMODE), 2, 0 },
    { "pipe", 22, A(K_BUF_OUT), 2, 0 },
    { "sched_yield", 24, A(K_NONE), 1, 0 },
    { "msync", 26, A(K_MADDR, K_MLEN, K_MSFLAGS), 3, 0 },
    { "madvise", 28, A(K_MADDR, K_MLEN, K_ADVICE), 4, F_MEM },
    { "dup", 32, A(K_FD), 2, 0 },
    { "dup2", 33, A(K_FD, K_FD), 3, 0 },
    { "nanosleep", 35, A(K_TIMESPEC, K_BUF_OUT), 1, 0 },
    { "getpid", 39, A(K_NONE), 1, 0 },
    { "clone", 56, A(K_CLONEFLAGS, K_PTR, K_BUF_OUT, K_BUF_OUT, K_ANY), 2, F_FORKLIKE },
    { "fork", 57, A(K_NONE), 1, F_FORKLIKE },
    { "vfork", 58, A(K_NONE), 1, F_FORKLIKE },
    { "execve", 59, A(K_PATH, K_ARGV, K_ARGV), 2, F_CHILD },
    { "exit", 60, A(K_INT), 1, F_CHILD },
    { "wait4", 61, A(K_WPID, K_BUF_OUT, K_WAITOPT, K_BUF_OUT), 3, 0 },
    { "kill", 62, A(K_KPID, K_SIG), 2, 0 },
    { "uname", 63, A(K_BUF_OUT), 1, 0 },
    { "fcntl", 72, A(K_FD, K_FCNTL, K_FCNTLARG), 4, 0 },
    { "fsync", 74, A(K_FD), 2, 0 },
    { "fdatasync", 75, A(K_FD), 1, 0 },
    { "truncate", 76, A(K_PATH, K_OFFSET), 2, 0 },
    { "ftruncate", 77, A(K_FD, K_OFFSET), 3, 0 },
    { "getcwd", 79, A(K_BUF_OUT, K_LEN), 2, 0 },
    { "chdir", 80, A(K_PATH), 2, 0 },
    { "fchdir", 81, A(K_FD), 2, 0 },
    { "rename", 82, A(K_PATH, K_PATH), 3, 0 },
    { "mkdir", 83, A(K_PATH, K_MODE), 3, 0 },
    { "rmdir", 84, A(K_PATH), 2, 0 },
    { "creat", 85, A(K_PATH, K_MODE), 2, 0 },
    { "link", 86, A(K_PATH, K_PATH), 2, 0 },
    { "unlink", 87, A(K_PATH), 3, 0 },
    { "symlink", 88, A(K_PATH, K_PATH), 2, 0 },
    { "readlink", 89, A(K_PATH, K_BUF_OUT, K_LEN), 2, 0 },
    { "chmod", 90, A(K_PATH, K_MODE), 2, 0 },
    { "fchmod", 91, A(K_FD, K_MODE), 1, 0 },
    { "umask", 95, A(K_MODE), 1, 0 },
    { "gettimeofday", 96, A(K_BUF_OUT, K_BUF_OUT), 1, 0 },
    { "getrlimit", 97, A(K_RES, K_BUF_OUT), 1, 0 },
    { "sysinfo", 99, A(K_BUF_OUT), 1, 0 },
    { "getuid", 102, A(K_NONE), 1, 0 },
    { "getppid", 110, A(K_NONE), 1, 0 },
    { "arch_prctl", 158, A(K_ARCHCODE, K_PTR), 1, F_CHILD },
    { "sync", 162, A(K_NONE), 1, 0 },
    { "reboot", 169, A(K_REBOOT, K_ANY, K_ANY, K_PTR), 1, 0 },
    { "gettid", 186, A(K_NONE), 1, 0 },
    { "time", 201, A(K_BUF_OUT), 1, 0 },
    { "futex", 202, A(K_FUTEX, K_FUTEXOP, K_FUTEXVAL, K_TIMESPEC, K_FUTEX, K_INT), 4, 0 },
    { "getdents64", 217, A(K_FD, K_BUF_OUT, K_LEN), 3, 0 },
    { "set_tid_address", 218, A(K_PTR), 1, 0 },
    { "clock_gettime", 228, A(K_CLOCK, K_BUF_OUT), 1, 0 },
    { "clock_nanosleep", 230, A(K_CLOCK, K_TIMERFLAGS, K_TIMESPEC, K_BUF_OUT), 1, 0 },
    { "exit_group", 231, A(K_INT), 1, F_CHILD },
    { "openat", 257, A(K_DIRFD, K_PATH, K_OFLAGS, K_MODE), 5, 0 },
    { "mkdirat", 258, A(K_DIRFD, K_PATH, K_MODE), 2, 0 },
    { "newfstatat", 262, A(K_DIRFD, K_PATH, K_BUF_OUT, K_ATFLAGS), 3, 0 },
    { "unlinkat", 263, A(K_DIRFD, K_PATH, K_UNLINKFLAGS), 2, 0 },
    { "renameat", 264, A(K_DIRFD, K_PATH, K_DIRFD, K_PATH), 2, 0 },
    { "linkat", 265, A(K_DIRFD, K_PATH, K_DIRFD, K_PATH, K_ATFLAGS), 1, 0 },
    { "symlinkat", 266, A(K_PATH, K_DIRFD, K_PATH), 1, 0 },
    { "readlinkat", 267, A(K_DIRFD, K_PATH, K_BUF_OUT, K_LEN), 2, 0 },
    { "fchmodat", 268, A(K_DIRFD, K_PATH, K_MODE, K_ATFLAGS), 1, 0 },
    { "faccessat", 269, A(K_DIRFD, K_PATH, K_AMODE, K_ATFLAGS), 1, 0 },
    { "set_robust_list", 273, A(K_PTR, K_LEN), 1, 0 },
    { "dup3", 292, A(K_FD, K_FD, K_DUP3FLAGS), 2, 0 },
    { "pipe2", 293, A(K_BUF_OUT, K_PIPEFLAGS), 2, 0 },
    { "prlimit64", 302, A(K_PID0, K_RES, K_BUF_IN, K_BUF_OUT), 2, 0 },
    { "renameat2", 316, A(K_DIRFD, K_PATH, K_DIRFD, K_PATH, K_RENAMEFLAGS), 1, 0 },
    { "getrandom", 318, A(K_BUF_OUT, K_LEN, K_GRNDFLAGS), 2, 0 },
    { "statx", 332, A(K_DIRFD, K_PATH, K_ATFLAGS, K_STATXMASK, K_BUF_OUT), 2, 0 },
    { "pause", 34, A(K_NONE), 1, F_CHILD },
    { "getitimer", 36, A(K_INT, K_BUF_OUT), 1, 0 },
    { "alarm", 37, A(K_SECONDS), 1, 0 },
    { "setitimer", 38, A(K_INT, K_ITIMERVAL, K_BUF_OUT), 1, 0 },
    { "setpgid", 109, A(K_PID0, K_PID0), 1, 0 },
    { "getpgrp", 111, A(K_NONE), 1, 0 },
    { "setsid", 112, A(K_NONE), 1, 0 },
    { "getpgid", 121, A(K_PID0), 1, 0 },
    { "getsid", 124, A(K_PID0), 1, 0 },
    { "statfs", 137, A(K_PATH, K_BUF_OUT), 1, 0 },
    { "fstatfs", 138, A(K_FD, K_BUF_OUT), 1, 0 },
    { "sched_setaffinity", 203, A(K_PID0, K_LEN, K_BUF_IN), 1, 0 },
    { "sched_getaffinity", 204, A(K_PID0, K_LEN, K_BUF_OUT), 1, 0 },
    /* Not in Pagoda (ENOSYS there); each must fail cleanly. */
    { "mremap", 25, A(K_MADDR, K_MLEN, K_MLEN, K_INT, K_MADDR), 1, F_CHILD },
    { "mincore", 27, A(K_MADDR, K_MLEN, K_BUF_OUT), 1, 0 },
    { "sendfile", 40, A(K_FD, K_FD, K_BUF_IN, K_LEN), 1, 0 },
    { "sigaltstack", 131, A(K_BUF_IN, K_BUF_OUT), 1, 0 },
    { "mlock", 149, A(K_MADDR, K_MLEN), 1, F_MEM },
    { "prctl", 157, A(K_INT, K_ANY, K_ANY, K_ANY, K_ANY), 1, F_CHILD },
    { "fallocate", 285, A(K_FD, K_INT, K_OFFSET, K_OFFSET), 1, 0 },
    { "rseq", 334, A(K_BUF_IN, K_LEN, K_INT, K_INT), 1, F_CHILD },
    /* A random number with random arguments, in a child. */
    { "syscall", -1, A(K_ANY, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY), 2, F_CHILD | F_RANDOM_NR },
    /* execve of a mutated ELF executable, in a child. */
    { "exec_mutated_elf", -2, A(K_NONE), 2, F_CHILD | F_ELF },
};
const int CALL_COUNT = sizeof CALLS / sizeof CALLS[0];

static unsigned char g_disabled[sizeof CALLS / sizeof CALLS[0]];

/* --calls-only / --calls-skip: a comma-separated list of names. Returns -1 for an unknown name.
 * (A restricted table makes other sequences: replay with the same option.) */
int restrict_calls(const char *list, int only)
{
    for (int i = 0; i < CALL_COUNT; ++i)
        g_disabled[i] = (unsigned char)only;
    while (*list) {
        size_t n = strcspn(list, ",");
        int found = 0;
        for (int i = 0; i < CALL_COUNT; ++i)
            if (strlen(CALLS[i].name) == n && !strncmp(CALLS[i].name, list, n)) {
                g_disabled[i] = (unsigned char)!only;
                found = 1;
            }
        if (!found)
            return -1;
        list += n + (list[n] == ',');
    }
    return 0;
}

const struct call *choose_call(struct rng *r)
{
    unsigned total = 0;
    for (int i = 0; i < CALL_COUNT; ++i)
        total += g_disabled[i] ? 0 : CALLS[i].weight;
    unsigned pick = (unsigned)rng_below(r, total);
    for (int i = 0; i < CALL_COUNT; ++i) {
        if (g_disabled[i])
            continue;
        if (pick < CALLS[i].weight)
            return &CALLS[i];
        pick -= CALLS[i].weight;
    }
    return &CALLS[0];
}

const char *errno_name(long e)
{
    static const char *const NAMES[] = { [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO",
        [6] = "ENXIO", [7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
        [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV",
        [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE",
        [25] = "ENOTTY", [26] = "ETXTBSY", [27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS",
        [31] = "EMLINK", [32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [36] = "ENAMETOOLONG", [38] = "ENOSYS",
        [39] = "ENOTEMPTY", [40] = "ELOOP", [75] = "EOVERFLOW", [95] = "EOPNOTSUPP" };
    if (e > 0 && e < (long)(sizeof NAMES / sizeof NAMES[0]) && NAMES[e])
        return NAMES[e];
    return "E?";
}

/* A path argument as a C string literal, when it lies in the worker's own pages (read only up
 * to the end of what is mapped); nothing otherwise. */
static size_t describe_string(char *out, size_t cap, u64 v)
{
    u64 end;
    if (v >= RW_BASE && v < RW_BASE + RW_SIZE)
        end = RW_BASE + RW_SIZE;
    else if (v >= BU_PAGE && v < BU_END)
        end = BU_END;
    else if (v >= BR_PAGE && v < RO_PAGE + PAGE)
        end = RO_PAGE + PAGE;
    else
        return 0;
    size_t n = (size_t)snprintf(out, cap, " \"");
    u64 p = v;
    for (; p < end && *(const char *)p && n + 8 < cap; ++p) {
        unsigned char ch = *(const unsigned char *)p;
        if (p - v >= 48) {
            n += (size_t)snprintf(out + n, cap - n, "...(%lu bytes)", (unsigned long)strnlen((const char *)v, end - v));
            break;
        }
        n += (size_t)(ch >= 32 && ch < 127 && ch != '"' && ch != '\\' ? snprintf(out + n, cap - n, "%c", ch)
                                                                      : snprintf(out + n, cap - n, "\\x%02x", ch));
    }
    if (p == end && n < cap)
        n += (size_t)snprintf(out + n, cap - n, "<no NUL before the page end>");
    if (n < cap)
        n += (size_t)snprintf(out + n, cap - n, "\"");
    return n < cap ? n : cap;
}

/* A struct argument's words ({handler, flags, restorer, mask}, {sec, nsec}, a sigset), when
 * they lie wholly in the worker's own pages. */
static size_t describe_words(char *out, size_t cap, u64 v, int words)
{
    u64 end = v + 8 * (u64)words;
    int ours = (v >= RW_BASE && end <= RW_BASE + RW_SIZE) || (v >= BU_PAGE && end <= BU_END)
        || (v >= BR_PAGE && end <= RO_PAGE + PAGE);
    if (!ours)
        return 0;
    size_t n = (size_t)snprintf(out, cap, " {");
    for (int w = 0; w < words && n < cap; ++w) {
        u64 x;
        memcpy(&x, (const void *)(v + 8 * (u64)w), 8);
        n += (size_t)snprintf(out + n, cap - n, "%s%#lx", w ? ", " : "", (unsigned long)x);
    }
    if (n < cap)
        n += (size_t)snprintf(out + n, cap - n, "}");
    return n < cap ? n : cap;
}

void describe_call(char *out, size_t cap, const struct call *c, const struct arg a[6])
{
    size_t n = (size_t)snprintf(out, cap, "%s(", c->name);
    for (int i = 0; i < 6 && c->kinds[i] != K_NONE && n < cap; ++i) {
        u64 v = a[i].value;
        if ((i64)v < 0 && (i64)v > -4097)
            n += (size_t)snprintf(out + n, cap - n, "%s%ld", i ? ", " : "", (long)v);
        else
            n += (size_t)snprintf(out + n, cap - n, "%s%#lx", i ? ", " : "", (unsigned long)v);
        if (a[i].tag && a[i].tag[0] && n < cap)
            n += (size_t)snprintf(out + n, cap - n, " <%s>", a[i].tag);
        if (c->kinds[i] == K_PATH && n < cap)
            n += describe_string(out + n, cap - n, v);
        if ((c->kinds[i] == K_SIGACT || c->kinds[i] == K_TIMESPEC || c->kinds[i] == K_SIGSET) && n < cap)
            n += describe_words(out + n, cap - n, v, c->kinds[i] == K_SIGACT ? 4 : 2);
    }
    if (n < cap)
        snprintf(out + n, cap - n, ")");
}
