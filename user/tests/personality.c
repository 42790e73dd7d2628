// personality(2): 0xffffffff asks without changing it; a new value is returned as the old one
// by the next call; PER_LINUX | UNAME26 makes uname's release a 2.6 one (2.6.(60 + minor),
// then the rest) and its other fields stay; a fork child inherits it; ADDR_NO_RANDOMIZE
// makes every execve put the stack at the same place (two runs agree), without it they
// differ. Pagoda refuses the flags it does not honour with EINVAL (Linux takes any value).
#define _GNU_SOURCE
#include "proc_util.h"
#include "tap.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

// Runs this program again ("stack") and returns the address of a local it printed, or 0.
static unsigned long stack_of_new_run(void)
{
    char out[64] = "";
    char* argv[] = { "personality", "stack", NULL };
    int status = run_capturing_output("/proc/self/exe", argv, out, sizeof out);
    return status == 0 ? strtoul(out, NULL, 16) : 0;
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "stack") == 0) {
        int local;
        printf("%lx\n", (unsigned long)&local);
        return 0;
    }
    struct utsname before, after;
    uname(&before);
    int pagoda = strcmp(before.sysname, "Pagoda") == 0;
    ok(personality(0xffffffff) == PER_LINUX, "0xffffffff asks: PER_LINUX");
    ok(personality(PER_LINUX | UNAME26) == PER_LINUX, "set UNAME26: the old value back");
    ok(personality(0xffffffff) == (PER_LINUX | UNAME26), "and it holds");
    uname(&after);
    char minor[16] = "";
    const char* dot = strchr(before.release, '.');
    int n = dot ? (int)strspn(dot + 1, "0123456789") : 0;
    memcpy(minor, dot ? dot + 1 : "", n < 15 ? n : 15);
    char expected[80];
    snprintf(expected, sizeof expected, "2.6.%d", 60 + atoi(minor));
    ok(strncmp(after.release, expected, strlen(expected)) == 0, "UNAME26: release %s (from %s)", after.release, before.release);
    ok(strcmp(after.sysname, before.sysname) == 0 && strcmp(after.machine, before.machine) == 0
            && strcmp(after.version, before.version) == 0,
        "the other fields stay");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(personality(0xffffffff) == (PER_LINUX | UNAME26) ? 0 : 1);
    int status = 0;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child inherits it");
    ok(personality(PER_LINUX) == (PER_LINUX | UNAME26), "back to PER_LINUX");
    uname(&after);
    ok(strcmp(after.release, before.release) == 0, "the release is %s again", after.release);

    unsigned long first = stack_of_new_run(), second = stack_of_new_run();
    FILE* aslr = fopen("/proc/sys/kernel/randomize_va_space", "r");
    int randomizing = 0;
    if (aslr) {
        randomizing = fgetc(aslr) != '0';
        fclose(aslr);
    }
    if (randomizing)
        ok(first && second && first != second, "without ADDR_NO_RANDOMIZE two runs' stacks differ (%lx %lx)", first, second);
    else
        skip("randomize_va_space 0", "two runs' stacks differ");
    ok(personality(PER_LINUX | ADDR_NO_RANDOMIZE) == PER_LINUX, "set ADDR_NO_RANDOMIZE");
    first = stack_of_new_run(), second = stack_of_new_run();
    ok(first && first == second, "with it two runs put the stack at the same place (%lx %lx)", first, second);
    personality(PER_LINUX);
    if (pagoda) {
        errno = 0;
        int r = personality(PER_LINUX | READ_IMPLIES_EXEC);
        ok(r == -1 && errno == EINVAL && personality(0xffffffff) == PER_LINUX,
            "Pagoda: READ_IMPLIES_EXEC, which it does not honour, is EINVAL (r=%d errno=%d)", r, errno);
    } else {
        skip("not Pagoda", "a flag Pagoda does not honour is EINVAL (Linux takes it)");
    }
    return tap_done();
}
