// segv_kernel_address — any address a program can name is safe to touch: a load, store or
// jump to the kernel half, to a non-canonical address or to the last page below 2^47 gets
// SIGSEGV with Linux's siginfo (si_addr = the address for a page fault; si_addr 0 and
// SI_KERNEL for a non-canonical address, which raises #GP rather than #PF), never a kernel
// panic. System calls given such addresses fail with Linux's errno.
#include "proc_util.h"
#include "tap.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SI_KERNEL_CODE 0x80

static sigjmp_buf g_resume;
static volatile int g_signal;
static volatile int g_code;
static volatile uintptr_t g_address;

static void on_fault(int signal, siginfo_t* info, void* context)
{
    (void)context;
    g_signal = signal;
    g_code = info->si_code;
    g_address = (uintptr_t)info->si_addr;
    siglongjmp(g_resume, 1);
}

enum access { LOAD, STORE, JUMP };

// Touches `address` the way `how` says; returns 1 if a signal came back (recorded above).
static int touch(uintptr_t address, enum access how)
{
    g_signal = 0;
    g_code = -1;
    g_address = 1;
    if (sigsetjmp(g_resume, 1))
        return 1;
    if (how == LOAD) {
        volatile long sink = *(volatile long*)address;
        (void)sink;
    } else if (how == STORE) {
        *(volatile long*)address = 1;
    } else {
        ((void (*)(void))address)();
    }
    return 0;
}

static void check_page_fault(uintptr_t address, enum access how, const char* what)
{
    int faulted = touch(address, how);
    ok(faulted && g_signal == SIGSEGV && g_code == SEGV_MAPERR && g_address == address,
        "%s %#lx: SIGSEGV, SEGV_MAPERR, si_addr is the address (signal %d, code %d, si_addr %#lx)", what,
        (unsigned long)address, g_signal, g_code, (unsigned long)g_address);
}

static void check_general_protection(uintptr_t address, enum access how, const char* what)
{
    int faulted = touch(address, how);
    ok(faulted && g_signal == SIGSEGV && g_code == SI_KERNEL_CODE && g_address == 0,
        "%s non-canonical %#lx: SIGSEGV, SI_KERNEL, si_addr 0 (signal %d, code %d, si_addr %#lx)", what,
        (unsigned long)address, g_signal, g_code, (unsigned long)g_address);
}

static void check_errno(long result, int expected, const char* what)
{
    int e = errno;
    ok(result == -1 && e == expected, "%s fails with errno %d (result %ld, errno %d)", what, expected, result, e);
}

int main(void)
{
    tap_plan(19);
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL); // a jump to a bad address leaves a usable stack anyway; harmless
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        bail("sigaction failed (errno=%d)", errno);

    const uintptr_t kernel_top = 0xfffffffffffffff8ul;
    const uintptr_t kernel_half = 0xffff800000000000ul;
    const uintptr_t kernel_text = 0xffffffff80000000ul;
    const uintptr_t last_user_page = 0x00007ffffffff000ul;
    const uintptr_t non_canonical = 0x0000800000000000ul;

    check_page_fault(kernel_top, STORE, "store to");
    check_page_fault(kernel_half, LOAD, "load from");
    check_page_fault(kernel_text, JUMP, "jump to");
    check_page_fault(last_user_page, STORE, "store to the last page below 2^47");
    check_page_fault(last_user_page + 0xff8, LOAD, "load from the last word below 2^47");
    check_general_protection(non_canonical, STORE, "store to");
    check_general_protection(0x8000000000000000ul, LOAD, "load from");

    // The same addresses handed to system calls: EFAULT, or mm's own errors.
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        bail("pipe failed (errno=%d)", errno);
    errno = 0;
    check_errno(write(pipe_fds[1], (void*)kernel_half, 16), EFAULT, "write() from a kernel address");
    errno = 0;
    check_errno(write(pipe_fds[1], (void*)(last_user_page + 0xff0), 16), EFAULT, "write() from the last page below 2^47");
    if (write(pipe_fds[1], "abcdefgh", 8) != 8)
        bail("write to the pipe failed (errno=%d)", errno);
    errno = 0;
    check_errno(read(pipe_fds[0], (void*)kernel_top, 8), EFAULT, "read() into a kernel address");
    char buffer[8] = { 0 };
    ok(read(pipe_fds[0], buffer, 8) == 8 && memcmp(buffer, "abcdefgh", 8) == 0,
        "the pipe still holds the bytes the failed read() did not take (%.8s)", buffer);
    errno = 0;
    check_errno(syscall(SYS_futex, (void*)kernel_half, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0), EFAULT,
        "futex(FUTEX_WAIT) on a kernel address");
    errno = 0;
    check_errno(syscall(SYS_futex, (void*)non_canonical, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0), EFAULT,
        "futex(FUTEX_WAKE) on a non-canonical address");
    errno = 0;
    check_errno(syscall(SYS_mprotect, kernel_half, 4096, PROT_READ), ENOMEM, "mprotect() of a kernel page");
    errno = 0;
    check_errno(syscall(SYS_munmap, kernel_half, 4096), EINVAL, "munmap() of a kernel page");
    errno = 0;
    check_errno(syscall(SYS_madvise, kernel_half, 4096, MADV_DONTNEED), ENOMEM, "madvise(MADV_DONTNEED) of a kernel page");
    errno = 0;
    check_errno((long)syscall(SYS_mmap, kernel_half, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
        ENOMEM, "mmap(MAP_FIXED) at a kernel address");
    void* hinted = mmap((void*)kernel_half, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok(hinted != MAP_FAILED && (uintptr_t)hinted < kernel_half,
        "mmap() with a kernel-address hint places the mapping in user space (%p)", hinted);
    errno = 0;
    check_errno(syscall(SYS_mmap, last_user_page, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
        ENOMEM, "mmap(MAP_FIXED) of the last page below 2^47");
    return tap_done();
}
