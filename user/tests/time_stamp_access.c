// time_stamp_access — prctl(PR_SET_TSC): with PR_TSC_SIGSEGV the rdtsc instruction raises
// SIGSEGV in the thread that asked (and in the threads and processes it creates later, and
// across execve), while other threads of its process still read the counter; PR_GET_TSC
// reports the mode; a mode other than the two is EINVAL, a bad pointer for PR_GET_TSC
// EFAULT. Run with argument "rdtsc" it only reads the counter (the execve check).
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_GET_TSC
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2
#endif

static uint64_t rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

// Runs `body` in a child and returns its wait status.
static int in_child(void (*body)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static int killed_by_segv(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV; }

static void set_sigsegv_then_read(void)
{
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0)
        _exit(2);
    (void)rdtsc();
    _exit(3);
}

static void set_enable_then_read(void)
{
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0 || prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0) != 0)
        _exit(2);
    uint64_t first = rdtsc(), second = rdtsc();
    _exit(second > first ? 0 : 3);
}

static void grandchild_inherits(void)
{
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0)
        _exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        int mode = 0;
        prctl(PR_GET_TSC, &mode, 0, 0, 0);
        if (mode != PR_TSC_SIGSEGV)
            _exit(4);
        (void)rdtsc();
        _exit(3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    _exit(killed_by_segv(status) ? 0 : 5);
}

static char self_path[4096];

static void exec_keeps_it(void)
{
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0)
        _exit(2);
    char* argv[] = { self_path, "rdtsc", NULL };
    execv(self_path, argv);
    _exit(6);
}

// One thread asks; the other (which never did) reads the counter, reports through a pipe
// whether it worked, and only then lets the asker read — whose rdtsc kills the process.
static pthread_barrier_t asked, reported;
static int report[2];

static void* ask_then_read(void* arg)
{
    (void)arg;
    prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
    pthread_barrier_wait(&asked);
    pthread_barrier_wait(&reported);
    (void)rdtsc();
    return NULL;
}

static void one_thread_only(void)
{
    pthread_barrier_init(&asked, NULL, 2);
    pthread_barrier_init(&reported, NULL, 2);
    pthread_t asker;
    pthread_create(&asker, NULL, ask_then_read, NULL);
    pthread_barrier_wait(&asked);
    uint64_t first = rdtsc(), second = rdtsc();
    int mode = 0;
    prctl(PR_GET_TSC, &mode, 0, 0, 0);
    char worked = second > first && mode == PR_TSC_ENABLE ? '1' : '0';
    write(report[1], &worked, 1);
    pthread_barrier_wait(&reported);
    pthread_join(asker, NULL);
    _exit(8); // not reached: the asker's rdtsc kills the process
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "rdtsc") == 0) {
        (void)rdtsc();
        return 9;
    }
    tap_plan(9);
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno %d)", errno);
    self_path[n] = 0;

    int mode = 0;
    int r = prctl(PR_GET_TSC, &mode, 0, 0, 0);
    ok(r == 0 && mode == PR_TSC_ENABLE, "PR_GET_TSC: PR_TSC_ENABLE at first (r=%d mode=%d errno=%d)", r, mode, errno);
    errno = 0;
    r = prctl(PR_SET_TSC, 3, 0, 0, 0);
    ok(r == -1 && errno == EINVAL, "PR_SET_TSC 3 is EINVAL (r=%d errno=%d)", r, errno);
    errno = 0;
    r = prctl(PR_GET_TSC, (void*)8, 0, 0, 0);
    ok(r == -1 && errno == EFAULT, "PR_GET_TSC to a bad pointer is EFAULT (r=%d errno=%d)", r, errno);

    int status = in_child(set_sigsegv_then_read);
    ok(killed_by_segv(status), "PR_TSC_SIGSEGV: rdtsc raises SIGSEGV (status %#x)", status);
    status = in_child(set_enable_then_read);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "PR_TSC_ENABLE again: rdtsc counts up (status %#x)", status);
    status = in_child(grandchild_inherits);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child inherits the mode and dies of its rdtsc (status %#x)",
        status);
    status = in_child(exec_keeps_it);
    ok(killed_by_segv(status), "execve keeps the mode: the new program's rdtsc raises SIGSEGV (status %#x)", status);
    if (pipe(report) != 0)
        bail("pipe (errno %d)", errno);
    status = in_child(one_thread_only);
    char worked = '?';
    read(report[0], &worked, 1);
    ok(killed_by_segv(status) && worked == '1',
        "one thread asks: another thread still reads the counter in mode PR_TSC_ENABLE (%c), the asker's read kills the "
        "process (status %#x)",
        worked, status);
    uint64_t first = rdtsc(), second = rdtsc();
    ok(second > first, "the parent, which never asked, still reads the counter");
    return tap_done();
}
