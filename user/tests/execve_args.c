// execve_args — what execve() passes to the new program, and its argument-size limits.
// - Re-executes itself (/proc/self/exe, in a forked child) with argv[0] "custom-name",
//   "stage2", an empty string, 100 arguments "arg0".."arg99", another empty string and
//   "last", and the environment exactly { "FOO=bar", "EMPTY=", "SPACES=a b  c" }; the second
//   stage checks every one of them and exits 42 (another code says which check failed).
// - execve with argv = { NULL }: the new program gets argc 0, or (Linux >= 5.18) argc 1 with
//   argv[0] == ""; it exits 43 (found by its environment, EXECVE_ARGS_STAGE=empty).
// - E2BIG, in this process, which must go on unharmed: one argument of 200 KiB (over
//   Linux's 128 KiB MAX_ARG_STRLEN); 128 arguments of 64 KiB (8 MiB in all, over any
//   Linux limit: at most a quarter of an 8 MiB stack rlimit, never more than 6 MiB).
//   Afterwards a global, the heap and the stack still hold their values, and a normal
//   execve still works.
#include "proc_util.h"
#include "tap.h"

#include <stdlib.h>

extern char** environ;

#define MIDDLE_ARGS 100
#define STAGE2_ARGC (2 + 1 + MIDDLE_ARGS + 2)
static char middle[MIDDLE_ARGS][8];
static volatile long canary = 0x1234567887654321L;

// The second stage: returns 42 if argv/envp are exactly what the first stage sent.
static int stage2(int argc, char** argv, char** envp)
{
    if (argc != STAGE2_ARGC)
        return 1;
    if (strcmp(argv[0], "custom-name") != 0 || strcmp(argv[1], "stage2") != 0 || strcmp(argv[2], "") != 0)
        return 2;
    for (int i = 0; i < MIDDLE_ARGS; ++i) {
        char expected[8];
        snprintf(expected, sizeof expected, "arg%d", i);
        if (strcmp(argv[3 + i], expected) != 0)
            return 3;
    }
    if (strcmp(argv[3 + MIDDLE_ARGS], "") != 0 || strcmp(argv[4 + MIDDLE_ARGS], "last") != 0)
        return 4;
    if (argv[argc] != NULL)
        return 5;
    if (envp != argv + argc + 1 || envp != environ)
        return 6;
    static const char* const expected_env[] = { "FOO=bar", "EMPTY=", "SPACES=a b  c" };
    for (int i = 0; i < 3; ++i)
        if (!envp[i] || strcmp(envp[i], expected_env[i]) != 0)
            return 7;
    if (envp[3] != NULL)
        return 8;
    if (!getenv("EMPTY") || strcmp(getenv("EMPTY"), "") != 0)
        return 9;
    return 42;
}

// Fork, execve /proc/self/exe with argv/envp in the child; returns the wait status.
static int run_self(char* const* argv, char* const* envp, pid_t* pid_out)
{
    pid_t pid = fork();
    if (pid == 0) {
        execve("/proc/self/exe", argv, envp);
        _exit(127);
    }
    *pid_out = pid;
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static int memory_intact(const char* heap, size_t heap_len, const volatile char* stack, size_t stack_len)
{
    int good = canary == 0x1234567887654321L;
    for (size_t i = 0; i < heap_len; ++i)
        good &= heap[i] == (char)(i * 13);
    for (size_t i = 0; i < stack_len; ++i)
        good &= stack[i] == (char)(i * 5);
    return good;
}

int main(int argc, char** argv, char** envp)
{
    const char* stage = getenv("EXECVE_ARGS_STAGE");
    if (stage && strcmp(stage, "empty") == 0)
        return (argc == 0 && argv[0] == NULL) || (argc == 1 && argv[0] && argv[0][0] == '\0' && argv[1] == NULL) ? 43 : 1;
    if (argc >= 2 && strcmp(argv[1], "stage2") == 0)
        return stage2(argc, argv, envp);
    if (argc >= 2 && strcmp(argv[1], "huge") == 0) {
        printf("not ok - execve with an over-size argument list succeeded\n");
        return 1;
    }

    tap_plan(9);
    char* heap = malloc(10000);
    volatile char stack[3000];
    if (!heap)
        bail("malloc failed");
    for (size_t i = 0; i < 10000; ++i)
        heap[i] = (char)(i * 13);
    for (size_t i = 0; i < sizeof stack; ++i)
        stack[i] = (char)(i * 5);

    // --- E2BIG: one argument over 128 KiB ---
    size_t huge_len = 200 * 1024;
    char* huge = malloc(huge_len + 1);
    if (!huge)
        bail("malloc failed");
    memset(huge, 'h', huge_len);
    huge[huge_len] = '\0';
    char* huge_argv[] = { argv[0], "huge", huge, NULL };
    errno = 0;
    int r = execve("/proc/self/exe", huge_argv, envp);
    ok(r == -1 && errno == E2BIG, "execve with one %zu KiB argument fails with E2BIG (r=%d errno=%d)", huge_len / 1024, r, errno);
    free(huge);

    // --- E2BIG: 8 MiB of arguments, 128 x 64 KiB (the same string each time) ---
    size_t piece_len = 64 * 1024 - 1;
    char* piece = malloc(piece_len + 1);
    char** many = malloc(sizeof(char*) * 131);
    if (!piece || !many)
        bail("malloc failed");
    memset(piece, 'm', piece_len);
    piece[piece_len] = '\0';
    many[0] = argv[0];
    many[1] = "huge";
    for (int i = 2; i < 130; ++i)
        many[i] = piece;
    many[130] = NULL;
    errno = 0;
    r = execve("/proc/self/exe", many, envp);
    ok(r == -1 && errno == E2BIG, "execve with 128 arguments of 64 KiB (8 MiB) fails with E2BIG (r=%d errno=%d)", r, errno);
    free(piece);
    free(many);
    ok(memory_intact(heap, 10000, stack, sizeof stack), "after the failed execve calls, global, heap and stack are intact");

    // --- a full argument list ---
    for (int i = 0; i < MIDDLE_ARGS; ++i)
        snprintf(middle[i], sizeof middle[i], "arg%d", i);
    char* stage2_argv[STAGE2_ARGC + 1];
    stage2_argv[0] = "custom-name";
    stage2_argv[1] = "stage2";
    stage2_argv[2] = "";
    for (int i = 0; i < MIDDLE_ARGS; ++i)
        stage2_argv[3 + i] = middle[i];
    stage2_argv[3 + MIDDLE_ARGS] = "";
    stage2_argv[4 + MIDDLE_ARGS] = "last";
    stage2_argv[STAGE2_ARGC] = NULL;
    char* custom_env[] = { "FOO=bar", "EMPTY=", "SPACES=a b  c", NULL };
    pid_t pid = 0;
    int status = run_self(stage2_argv, custom_env, &pid);
    ok(pid > 0, "fork for the second stage (pid=%d)", pid);
    ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 42,
        "second stage sees argv[0] \"custom-name\", %d arguments with empty strings, and exactly the custom environment "
        "(%s; 1 argc, 2-5 argv, 6 envp placement, 7-8 envp, 9 getenv, 127 execve failed)",
        STAGE2_ARGC, status == -1 ? "wait failed" : describe_wait_status(status));

    // --- argv = { NULL } ---
    char* empty_argv[] = { NULL };
    char* empty_env[] = { "EXECVE_ARGS_STAGE=empty", NULL };
    status = run_self(empty_argv, empty_env, &pid);
    ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 43,
        "execve with argv = { NULL }: the program starts with argc 0 (or 1 with argv[0] \"\") (%s; 127 execve failed)",
        status == -1 ? "wait failed" : describe_wait_status(status));

    // --- the default environment passes through too ---
    char* plain_argv[] = { "plain", "stage2", NULL };
    status = run_self(plain_argv, envp, &pid);
    ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1,
        "second stage with 2 arguments reports the wrong argc (exit 1): the checks can fail (%s)",
        status == -1 ? "wait failed" : describe_wait_status(status));

    ok(memory_intact(heap, 10000, stack, sizeof stack), "at the end, global, heap and stack are still intact");
    ok(argc >= 1 && argv[argc] == NULL, "our own argv is untouched (argc %d)", argc);
    return tap_done();
}
