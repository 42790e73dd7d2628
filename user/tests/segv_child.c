// segv_child — a child killed by SIGSEGV is reported as such, and the parent goes on.
// A child writes to a PROT_READ page (already read, so mapped) and dies: waitpid reports
// WIFSIGNALED with WTERMSIG == SIGSEGV (not WIFEXITED). A second child dereferences an
// unmapped address (a page just munmapped) and dies the same way. The parent's global, heap
// and mapped memory are intact afterwards, and it can still fork a child that exits 0.
#include "proc_util.h"
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096

static volatile long canary = 77;

int main(void)
{
    tap_plan(7);
    volatile char* ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile char* rw = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* heap = malloc(20000);
    if (ro == MAP_FAILED || rw == MAP_FAILED || !heap)
        bail("mmap/malloc failed (errno=%d)", errno);
    memset(heap, 0x3c, 20000);
    rw[0] = 11;
    rw[PAGE] = 12;
    volatile char sink = ro[0]; // read: the page is present (zero page) but not writable
    (void)sink;

    pid_t pid = fork();
    if (pid == 0) {
        canary = 78;
        rw[0] = 99;
        ro[10] = 1; // SIGSEGV
        _exit(3);   // not reached
    }
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);
    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(w == pid && WIFSIGNALED(status) && !WIFEXITED(status) && WTERMSIG(status) == SIGSEGV,
        "child writing a PROT_READ page: WIFSIGNALED, WTERMSIG == SIGSEGV (waitpid=%d, %s)", w,
        describe_wait_status(status));

    // An unmapped page: the second page of rw, unmapped in the child only.
    pid = fork();
    if (pid == 0) {
        if (munmap((void*)(rw + PAGE), PAGE) != 0)
            _exit(4);
        sink = rw[PAGE]; // SIGSEGV
        _exit(5);
    }
    status = -1;
    w = pid > 0 ? waitpid(pid, &status, 0) : -1;
    ok(w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
        "child reading an unmapped page: WIFSIGNALED, WTERMSIG == SIGSEGV (waitpid=%d, %s; exit 4 = munmap failed)", w,
        describe_wait_status(status));

    int heap_ok = 1;
    for (int i = 0; i < 20000; ++i)
        heap_ok &= heap[i] == 0x3c;
    ok(canary == 77 && heap_ok, "the parent's global and heap are intact (canary %ld)", canary);
    ok(rw[0] == 11 && rw[PAGE] == 12 && ro[10] == 0,
        "the parent's mappings are intact: the child's writes and munmap stayed in the child (%d, %d, %d)", rw[0],
        rw[PAGE], ro[10]);
    rw[1] = 13;
    ok(rw[1] == 13, "the parent can still write its own memory");

    pid = fork();
    if (pid == 0)
        _exit(0);
    status = -1;
    w = pid > 0 ? waitpid(pid, &status, 0) : -1;
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the parent forks another child that exits 0 (waitpid=%d, %s)",
        w, describe_wait_status(status));
    errno = 0;
    w = waitpid(-1, &status, WNOHANG);
    ok(w == -1 && errno == ECHILD, "no children left (waitpid=%d errno=%d)", w, errno);
    return tap_done();
}
