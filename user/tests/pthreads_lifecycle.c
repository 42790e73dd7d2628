// pthreads_lifecycle — how threads end and what fork and execve do to them (musl; the
// _glibc twin runs the same against glibc). Each case runs in a child process, so that a
// kernel that gets it wrong fails one check instead of the whole test:
//   - exit() in one thread ends every thread, even ones asleep in nanosleep, a futex
//     (pthread_join) and a pipe read: the status is that exit's;
//   - the main thread's pthread_exit leaves the others running; the last one out, with the
//     raw exit system call (musl's own pthread_exit would hang here, on Linux too), ends
//     the process with its status;
//   - a fatal signal sent to the process (SIGTERM, default action) and a SIGSEGV in one
//     thread end the whole group;
//   - fork in a thread: the child has exactly one thread, the caller, and the memory;
//   - execve in a thread: the other threads are gone, the new program has the old pid and
//     its only thread's id is that pid.
// alarm(60) turns a hang into a failure.
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int status_threads(void)
{
    char buffer[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buffer, sizeof buffer - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buffer[n] = 0;
    char* line = strstr(buffer, "\nThreads:");
    return line ? atoi(line + 9) : -1;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

static int in_child(void (*body)(void))
{
    pid_t child = fork();
    if (child == 0) {
        body();
        _exit(99);
    }
    int status;
    return waitpid(child, &status, 0) == child ? status : -1;
}

static int never_written[2];
static void* sleep_long(void* arg)
{
    (void)arg;
    sleep_ms(30000);
    return NULL;
}
static void* read_forever(void* arg)
{
    (void)arg;
    char c;
    read(never_written[0], &c, 1);
    return NULL;
}
static void* join_forever(void* arg)
{
    pthread_join(*(pthread_t*)arg, NULL);
    return NULL;
}
static void* exit_three(void* arg)
{
    (void)arg;
    sleep_ms(50);
    exit(3);
}
static void exit_from_a_thread(void)
{
    pipe(never_written);
    pthread_t sleeper, reader, joiner, exiter;
    pthread_create(&sleeper, NULL, sleep_long, NULL);
    pthread_create(&reader, NULL, read_forever, NULL);
    pthread_create(&joiner, NULL, join_forever, &sleeper);
    pthread_create(&exiter, NULL, exit_three, NULL);
    sleep_long(NULL);
}

static int report[2];
static void* outlive_main(void* arg)
{
    (void)arg;
    sleep_ms(50);
    write(report[1], "alive", 5);
    syscall(SYS_exit, 4); // the last thread: the process ends with status 4
    return NULL;
}
static void main_thread_exits(void)
{
    pthread_t t;
    pthread_create(&t, NULL, outlive_main, NULL);
    pthread_exit(NULL);
}

static void killed_by_sigterm(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; ++i)
        pthread_create(&t[i], NULL, sleep_long, NULL);
    write(report[1], "r", 1);
    sleep_long(NULL);
}

static void* fault(void* arg)
{
    (void)arg;
    sleep_ms(20);
    *(volatile int*)16 = 1;
    return NULL;
}
static void segv_in_a_thread(void)
{
    pthread_t t[2];
    pthread_create(&t[0], NULL, sleep_long, NULL);
    pthread_create(&t[1], NULL, fault, NULL);
    sleep_long(NULL);
}

static int before_fork = 17;
static void* fork_here(void* arg)
{
    (void)arg;
    pid_t child = fork();
    if (child == 0)
        _exit(status_threads() == 1 && before_fork == 17 ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    return (void*)(long)(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
static void fork_in_a_thread(void)
{
    pthread_t sleeper, forker;
    pthread_create(&sleeper, NULL, sleep_long, NULL);
    pthread_create(&forker, NULL, fork_here, NULL);
    void* good;
    pthread_join(forker, &good);
    _exit(good ? 0 : 1);
}

static char* self_path;
static void* exec_here(void* arg)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    (void)arg;
    char* argv[] = { self_path, "exec-stage", pid, NULL };
    execv("/proc/self/exe", argv);
    _exit(50);
}
static void exec_in_a_thread(void)
{
    pthread_t sleeper, reader, execer;
    pipe(never_written);
    pthread_create(&sleeper, NULL, sleep_long, NULL);
    pthread_create(&reader, NULL, read_forever, NULL);
    pthread_create(&execer, NULL, exec_here, NULL);
    sleep_long(NULL);
}

int main(int argc, char** argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-stage") == 0) {
        int pid_kept = getpid() == atoi(argv[2]);
        int tid_is_pid = syscall(SYS_gettid) == getpid();
        _exit(pid_kept && tid_is_pid && status_threads() == 1 ? 7 : 8);
    }
    self_path = argv[0];
    tap_plan(7);
    alarm(60);

    int status = in_child(exit_from_a_thread);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 3,
        "exit(3) in a thread ends the threads asleep in nanosleep, pthread_join and read: status 3 (%#x)", status);

    pipe(report);
    status = in_child(main_thread_exits);
    char word[8] = { 0 };
    read(report[0], word, 5);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 4 && strcmp(word, "alive") == 0,
        "after the main thread's pthread_exit another thread runs on; the last one's exit(4) is the status (%#x, \"%s\")", status,
        word);

    pid_t child = fork();
    if (child == 0)
        killed_by_sigterm();
    char r;
    read(report[0], &r, 1);
    kill(child, SIGTERM);
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "SIGTERM to a process of 4 sleeping threads ends them all (%#x)", status);

    status = in_child(segv_in_a_thread);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a SIGSEGV in one thread ends the process (%#x)", status);

    status = in_child(fork_in_a_thread);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork in a thread: the child has one thread and the parent's memory (%#x)",
        status);

    status = in_child(exec_in_a_thread);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 7,
        "execve in a thread: the other threads are gone, the pid is kept and is the only thread's id (%#x)", status);

    ok(status_threads() == 1, "the test itself still has one thread");
    return tap_done();
}
