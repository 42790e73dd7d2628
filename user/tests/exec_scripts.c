// exec_scripts — execve of "#!" scripts, as Linux's binfmt_script runs them. The
// interpreter is this test program itself (its absolute path from /proc/self/exe): run as
// an interpreter, it writes the argv it got to a report file, so the parent checks exactly
// what the kernel built:
//   - "#!INTERP" → INTERP SCRIPT ARGS... (the original argv[0] is dropped);
//   - "#!INTERP  one two  " → INTERP "one two" SCRIPT ARGS... (the rest of the line, trimmed,
//     is ONE argument), also without a final newline;
//   - a script whose interpreter is a script: chains of 5 run, 6 are ELOOP;
//   - "#!" alone is ENOEXEC, a missing interpreter ENOENT, a script without x bit EACCES.
#include "proc_util.h"
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[4096];
static char dir[256];
static char report[300];

static void write_file(const char* path, const char* text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write(fd, text, strlen(text));
    close(fd);
    chmod(path, mode);
}

// Runs `path` with `args` in a child: the exec's errno (0 if it ran and the interpreter
// exited 0), and the report the interpreter wrote ("arg|arg|...").
static int run(const char* path, char* const* args, char* got, size_t cap)
{
    unlink(report);
    int status;
    int e = exec_errno_in_child(path, args, &status);
    if (read_whole_file(report, got, cap) < 0)
        got[0] = 0;
    return e;
}

int main(int argc, char** argv)
{
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = 0;
    if (getenv("EXEC_SCRIPTS_REPORT")) { // run as an interpreter: record argv
        int fd = open(getenv("EXEC_SCRIPTS_REPORT"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        for (int i = 0; i < argc; ++i) {
            if (i)
                write(fd, "|", 1);
            write(fd, argv[i], strlen(argv[i]));
        }
        close(fd);
        return 0;
    }
    snprintf(dir, sizeof dir, "/tmp/exec_scripts.%d", (int)getpid());
    snprintf(report, sizeof report, "%s/report", dir);
    mkdir(dir, 0777);
    setenv("EXEC_SCRIPTS_REPORT", report, 1);
    tap_plan(9);

    char path[400], text[5000], expect[5000], got[5000];
    snprintf(path, sizeof path, "%s/plain", dir);
    snprintf(text, sizeof text, "#!%s\necho not for us\n", self);
    write_file(path, text, 0755);
    char* args1[] = { "ignored-argv0", "a", "b c", NULL };
    int e = run(path, args1, got, sizeof got);
    snprintf(expect, sizeof expect, "%s|%s|a|b c", self, path);
    ok(e == 0 && strcmp(got, expect) == 0, "#!INTERP: INTERP SCRIPT ARGS, argv[0] dropped (\"%s\")", got);

    snprintf(path, sizeof path, "%s/argument", dir);
    snprintf(text, sizeof text, "#!  %s   one two  \n", self);
    write_file(path, text, 0755);
    char* args2[] = { "x", "a", NULL };
    e = run(path, args2, got, sizeof got);
    snprintf(expect, sizeof expect, "%s|one two|%s|a", self, path);
    ok(e == 0 && strcmp(got, expect) == 0, "the rest of the line is one argument, trimmed (\"%s\")", got);

    snprintf(path, sizeof path, "%s/no_newline", dir);
    snprintf(text, sizeof text, "#!%s arg", self);
    write_file(path, text, 0755);
    e = run(path, args2, got, sizeof got);
    snprintf(expect, sizeof expect, "%s|arg|%s|a", self, path);
    ok(e == 0 && strcmp(got, expect) == 0, "a script of one line without a newline (\"%s\")", got);

    // A chain: level0's interpreter is this program, level N's is level N-1.
    char previous[400];
    snprintf(previous, sizeof previous, "%s", self);
    for (int level = 0; level < 6; ++level) {
        snprintf(path, sizeof path, "%s/level%d", dir, level);
        snprintf(text, sizeof text, "#!%s\n", previous);
        write_file(path, text, 0755);
        snprintf(previous, sizeof previous, "%s", path);
    }
    snprintf(path, sizeof path, "%s/level4", dir);
    char* args3[] = { "x", NULL };
    e = run(path, args3, got, sizeof got);
    ok(e == 0 && strncmp(got, self, strlen(self)) == 0 && strstr(got, "level0|") && strstr(got, "level4"),
        "a chain of 5 scripts runs (\"%.60s...\")", got);
    snprintf(path, sizeof path, "%s/level5", dir);
    e = run(path, args3, got, sizeof got);
    ok(e == ELOOP, "a chain of 6: ELOOP (errno %d)", e);

    snprintf(path, sizeof path, "%s/empty", dir);
    write_file(path, "#!\n", 0755);
    e = run(path, args3, got, sizeof got);
    ok(e == ENOEXEC, "\"#!\" with no interpreter: ENOEXEC (errno %d)", e);
    snprintf(path, sizeof path, "%s/missing", dir);
    write_file(path, "#!/no/such/interpreter\n", 0755);
    e = run(path, args3, got, sizeof got);
    ok(e == ENOENT, "a missing interpreter: ENOENT (errno %d)", e);
    snprintf(path, sizeof path, "%s/not_executable", dir);
    snprintf(text, sizeof text, "#!%s\n", self);
    write_file(path, text, 0644);
    e = run(path, args3, got, sizeof got);
    ok(e == EACCES, "a script without the x bit: EACCES (errno %d)", e);
    snprintf(path, sizeof path, "%s/long", dir);
    memset(text, 0, sizeof text);
    strcpy(text, "#!/");
    memset(text + 3, 'x', 300);
    write_file(path, text, 0755);
    e = run(path, args3, got, sizeof got);
    ok(e == ENOEXEC, "an interpreter name longer than the 256-byte header: ENOEXEC (errno %d)", e);

    const char* made[] = { "plain", "argument", "no_newline", "level0", "level1", "level2", "level3", "level4", "level5", "empty",
        "missing", "not_executable", "long", "report" };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; ++i) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        unlink(path);
    }
    rmdir(dir);
    return tap_done();
}
