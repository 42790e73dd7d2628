// fork_isolation — after fork(), parent and child have separate memory, both directions.
// The child writes to a global, the heap, its stack and an anonymous private mapping; the
// parent (ordered after those writes by a pipe) still sees its own values. Then the parent
// writes new values and the child (ordered by another pipe) still sees its own. Also:
// fork() returns the child's pid in the parent and 0 in the child; getppid() in the child
// is the parent's pid; waitpid reports WIFEXITED with each exit code 0, 1, 42, 255.
#include "proc_util.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096

static volatile long global_value = 1000;

static char token(int fd) // read one byte, or 'E' on EOF/error
{
    char c;
    return read(fd, &c, 1) == 1 ? c : 'E';
}

int main(void)
{
    tap_plan(14);
    pid_t parent = getpid();

    volatile long* heap = malloc(64 * sizeof(long));
    volatile long* anon = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!heap || anon == MAP_FAILED)
        bail("malloc/mmap failed (errno=%d)", errno);
    volatile long stack_value = 2000;
    heap[0] = 3000;
    anon[0] = 4000;
    anon[PAGE * 3 / sizeof(long)] = 4003;

    int to_child[2], to_parent[2], report[2];
    if (pipe(to_child) || pipe(to_parent) || pipe(report))
        bail("pipe failed (errno=%d)", errno);

    pid_t pid = fork();
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);
    if (pid == 0) {
        // Child: bit i of the exit status = check i failed.
        int bad = 0;
        pid_t me = getpid();
        if (getppid() != parent)
            bad |= 1;
        // Child sees the parent's values from before fork.
        if (global_value != 1000 || heap[0] != 3000 || stack_value != 2000 || anon[0] != 4000
            || anon[PAGE * 3 / sizeof(long)] != 4003)
            bad |= 2;
        global_value = 1001;
        heap[0] = 3001;
        stack_value = 2001;
        anon[0] = 4001;
        anon[PAGE * 3 / sizeof(long)] = 4004;
        write_all(report[1], &me, sizeof me);
        write_all(to_parent[1], "w", 1); // "I wrote"
        if (token(to_child[0]) != 'p')   // wait until the parent wrote its new values
            bad |= 4;
        if (global_value != 1001 || heap[0] != 3001 || stack_value != 2001 || anon[0] != 4001
            || anon[PAGE * 3 / sizeof(long)] != 4004)
            bad |= 8;
        _exit(bad);
    }

    ok(pid > 0 && pid != parent, "fork returns the child's pid in the parent (%d, parent %d)", pid, parent);
    pid_t reported = -1;
    read_full(report[0], &reported, sizeof reported);
    ok(reported == pid, "the child's getpid() equals fork's return value (%d vs %d)", reported, pid);

    char t = token(to_parent[0]);
    ok(t == 'w', "child reports it wrote its values (token '%c')", t);
    ok(global_value == 1000, "parent's global unchanged by the child's write (%ld)", global_value);
    ok(heap[0] == 3000, "parent's heap unchanged by the child's write (%ld)", heap[0]);
    ok(stack_value == 2000, "parent's stack variable unchanged by the child's write (%ld)", stack_value);
    ok(anon[0] == 4000 && anon[PAGE * 3 / sizeof(long)] == 4003,
        "parent's anonymous private mapping unchanged by the child's writes (%ld, %ld)", anon[0],
        anon[PAGE * 3 / sizeof(long)]);

    global_value = 1002;
    heap[0] = 3002;
    stack_value = 2002;
    anon[0] = 4002;
    anon[PAGE * 3 / sizeof(long)] = 4005;
    write_all(to_child[1], "p", 1);

    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "child saw the parent's pid via getppid, the pre-fork values, and kept its own values after the parent wrote "
        "(waitpid=%d, %s; bits: 1 getppid, 2 pre-fork values, 4 pipe, 8 parent's writes leaked)",
        w, describe_wait_status(status));
    ok(global_value == 1002 && heap[0] == 3002 && stack_value == 2002 && anon[0] == 4002
            && anon[PAGE * 3 / sizeof(long)] == 4005,
        "parent keeps its own new values after the child exits");

    // Exit codes through waitpid.
    static const int codes[] = { 0, 1, 42, 255 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
        pid_t c = fork();
        if (c == 0)
            _exit(codes[i]);
        status = -1;
        w = c > 0 ? waitpid(c, &status, 0) : -1;
        ok(c > 0 && w == c && WIFEXITED(status) && !WIFSIGNALED(status) && WEXITSTATUS(status) == codes[i],
            "child _exit(%d): waitpid reports WIFEXITED, WEXITSTATUS %d (fork=%d waitpid=%d, %s)", codes[i], codes[i],
            c, w, describe_wait_status(status));
    }

    // The heap still works in the parent after all this.
    char* more = malloc(100000);
    ok(more != NULL && (memset(more, 7, 100000), more[99999] == 7), "malloc still works in the parent after forking");
    free(more);
    return tap_done();
}
