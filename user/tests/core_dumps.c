// Core dumps, as Linux writes them: a signal whose default action is "core" (SIGABRT,
// SIGSEGV, SIGQUIT) kills with WCOREDUMP in the wait status and leaves an ELF core file
// named by /proc/sys/kernel/core_pattern in the process's directory — ET_CORE for x86-64,
// an NT_PRSTATUS note with the signal, the pid and registers that point into the dumped
// stack, a PT_LOAD per mapping whose bytes are the memory (a page never touched is a hole
// of zeros), nothing of a MADV_DONTDUMP range. No core and no WCOREDUMP for SIGTERM, for
// RLIMIT_CORE 0 or below a page, for a process made undumpable; a limit too small for the
// whole dump: WCOREDUMP all the same (Linux counts a dump begun) and a shorter file. /proc/self/coredump_filter reads 00000033 (Linux's default). On Pagoda
// only (they change the tunable): core_pattern with %p and %e, and a "|program" pattern that
// gives no core.
#define _GNU_SOURCE
#include "proc_util.h"
#include "tap.h"
#include <elf.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/procfs.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATTERN "/proc/sys/kernel/core_pattern"
#define MARK "pagoda core dump mark 0123456789"

static char directory[64];
static char core_name[64]; // what the default pattern makes, here
static volatile uintptr_t bad_address = 8; // nothing is mapped there (volatile: no compiler warning)
static char* marked; // 3 pages: the mark at the start of the middle one
static char* hidden; // one page, MADV_DONTDUMP

// What a child does before it dies: 'a' abort(), 's' SIGSEGV, 'w' wait for a signal (the
// parent returns once it waits, its limit set).
static pid_t child_that(char how, rlim_t core_limit, int dumpable)
{
    int ready[2];
    if (pipe(ready) != 0)
        bail("pipe (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid != 0) {
        close(ready[1]);
        char c;
        if (how == 'w')
            read_full(ready[0], &c, 1);
        close(ready[0]);
        return pid;
    }
    close(ready[0]);
    struct rlimit limit = { core_limit, core_limit };
    if (setrlimit(RLIMIT_CORE, &limit) != 0 || chdir(directory) != 0)
        _exit(100);
    if (!dumpable)
        prctl(PR_SET_DUMPABLE, 0);
    if (how == 'a')
        abort();
    if (how == 's')
        *(volatile int*)(uintptr_t)bad_address = 1;
    write_all(ready[1], "r", 1);
    for (;;)
        pause();
}

static int wait_for(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static int core_exists(const char* name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static void remove_core(const char* name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    unlink(path);
}

static char* core;
static size_t core_size, full_size;

static int load_core(const char* name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    free(core);
    core = malloc(64 << 20);
    ssize_t n = core ? read_whole_file(path, core, 64 << 20) : -1;
    core_size = n > 0 ? (size_t)n : 0;
    return n > 0;
}

static const Elf64_Phdr* segment_at(unsigned long address)
{
    const Elf64_Ehdr* e = (const Elf64_Ehdr*)core;
    for (int i = 0; i < e->e_phnum; ++i) {
        const Elf64_Phdr* p = (const Elf64_Phdr*)(core + e->e_phoff + i * sizeof(Elf64_Phdr));
        if (p->p_type == PT_LOAD && p->p_vaddr <= address && address < p->p_vaddr + p->p_memsz)
            return p;
    }
    return NULL;
}

static const struct elf_prstatus* prstatus(void)
{
    const Elf64_Ehdr* e = (const Elf64_Ehdr*)core;
    for (int i = 0; i < e->e_phnum; ++i) {
        const Elf64_Phdr* p = (const Elf64_Phdr*)(core + e->e_phoff + i * sizeof(Elf64_Phdr));
        if (p->p_type != PT_NOTE || p->p_offset + p->p_filesz > core_size)
            continue;
        for (size_t at = p->p_offset; at + sizeof(Elf64_Nhdr) <= p->p_offset + p->p_filesz;) {
            const Elf64_Nhdr* n = (const Elf64_Nhdr*)(core + at);
            size_t name_at = at + sizeof *n, desc_at = name_at + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_PRSTATUS && n->n_namesz == 5 && memcmp(core + name_at, "CORE", 5) == 0
                && n->n_descsz >= sizeof(struct elf_prstatus))
                return (const struct elf_prstatus*)(core + desc_at);
            at = desc_at + ((n->n_descsz + 3) & ~3u);
        }
    }
    return NULL;
}

static void check_abort_core(void)
{
    remove_core(core_name);
    pid_t pid = child_that('a', RLIM_INFINITY, 1);
    int status = wait_for(pid);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && WCOREDUMP(status), "abort(): killed by SIGABRT with WCOREDUMP (%s)",
        describe_wait_status(status));
    char name[64];
    snprintf(name, sizeof name, "%s", core_name);
    if (!ok(load_core(name), "the core file \"%s\" is in the process's directory", name))
        return;
    const Elf64_Ehdr* e = (const Elf64_Ehdr*)core;
    ok(core_size >= sizeof *e && memcmp(e->e_ident, ELFMAG, SELFMAG) == 0 && e->e_ident[EI_CLASS] == ELFCLASS64
            && e->e_type == ET_CORE && e->e_machine == EM_X86_64 && e->e_phentsize == sizeof(Elf64_Phdr),
        "an ELF64 ET_CORE file for x86-64");
    const struct elf_prstatus* st = prstatus();
    ok(st && st->pr_cursig == SIGABRT && st->pr_info.si_signo == SIGABRT && st->pr_pid == pid,
        "NT_PRSTATUS: SIGABRT, the pid (%d)", st ? st->pr_pid : -1);
    const Elf64_Phdr* stack = st ? segment_at(st->pr_reg[19]) : NULL; // rsp
    ok(stack && stack->p_filesz == stack->p_memsz, "its rsp is in a dumped PT_LOAD (the stack)");
    const Elf64_Phdr* text = st ? segment_at(st->pr_reg[16]) : NULL; // rip
    ok(text != NULL, "its rip is in a PT_LOAD");
    const Elf64_Phdr* m = segment_at((unsigned long)marked);
    int found = m && m->p_filesz == m->p_memsz && m->p_offset + m->p_filesz <= core_size
        && memcmp(core + m->p_offset + ((unsigned long)marked + 4096 - m->p_vaddr), MARK, sizeof MARK) == 0;
    ok(found, "anonymous memory is dumped: the mark at its address");
    int hole = m && m->p_offset + ((unsigned long)marked - m->p_vaddr) + 4096 <= core_size;
    for (int i = 0; hole && i < 4096; ++i)
        hole = core[m->p_offset + ((unsigned long)marked - m->p_vaddr) + i] == 0;
    ok(hole, "a page never touched reads as zeros");
    const Elf64_Phdr* h = segment_at((unsigned long)hidden);
    ok(h && h->p_filesz == 0 && h->p_memsz >= 4096, "a MADV_DONTDUMP page: a PT_LOAD with no bytes (%ld)", h ? (long)h->p_filesz : -1);
    full_size = core_size;
    remove_core(name);
}

static void check_no_core(char how, int signal, rlim_t limit, int dumpable, const char* what)
{
    remove_core(core_name);
    pid_t pid = child_that(how, limit, dumpable);
    if (signal)
        kill(pid, signal);
    int status = wait_for(pid);
    ok(WIFSIGNALED(status) && !WCOREDUMP(status) && !core_exists(core_name), "%s: no WCOREDUMP, no core (%s)", what,
        describe_wait_status(status));
    remove_core(core_name);
}

int main(void)
{
    char pattern[256];
    ssize_t n = read_whole_file(PATTERN, pattern, sizeof pattern - 1);
    ok(n > 0 && pattern[n - 1] == '\n', "core_pattern reads as a line");
    pattern[n > 0 ? n - 1 : 0] = '\0';
    char filter[32] = "";
    n = read_whole_file("/proc/self/coredump_filter", filter, sizeof filter - 1);
    ok(n == 9 && strcmp(filter, "00000033\n") == 0, "/proc/self/coredump_filter: 00000033 (%s)", filter);
    char uses_pid[8] = "0";
    read_whole_file("/proc/sys/kernel/core_uses_pid", uses_pid, sizeof uses_pid - 1);
    if (strcmp(pattern, "core") != 0 || uses_pid[0] != '0') {
        skip("core_pattern is not \"core\"", "core dumps (this machine's pattern is \"%s\")", pattern);
        return tap_done();
    }
    snprintf(directory, sizeof directory, "/tmp/core_dumps.%d", (int)getpid());
    if (mkdir(directory, 0700) != 0)
        bail("mkdir %s (errno=%d)", directory, errno);
    snprintf(core_name, sizeof core_name, "core");
    marked = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    hidden = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (marked == MAP_FAILED || hidden == MAP_FAILED)
        bail("mmap (errno=%d)", errno);
    memcpy(marked + 4096, MARK, sizeof MARK);
    memcpy(hidden, MARK, sizeof MARK);
    ok(madvise(hidden, 4096, MADV_DONTDUMP) == 0, "madvise(MADV_DONTDUMP)");

    check_abort_core();
    pid_t pid = child_that('s', RLIM_INFINITY, 1);
    siginfo_t info = { 0 };
    int waited = waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
    ok(waited == 0 && info.si_code == CLD_DUMPED && info.si_status == SIGSEGV, "waitid: CLD_DUMPED and SIGSEGV (%d %d)",
        info.si_code, info.si_status);
    int status = wait_for(pid);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && WCOREDUMP(status) && core_exists(core_name),
        "a bad store: SIGSEGV with WCOREDUMP and a core (%s)", describe_wait_status(status));
    remove_core(core_name);
    pid = child_that('w', RLIM_INFINITY, 1);
    kill(pid, SIGTERM);
    waited = waitid(P_PID, pid, &info, WEXITED);
    ok(waited == 0 && info.si_code == CLD_KILLED && info.si_status == SIGTERM, "SIGTERM: waitid says CLD_KILLED (%d %d)",
        info.si_code, info.si_status);
    pid = child_that('w', RLIM_INFINITY, 1);
    kill(pid, SIGQUIT);
    status = wait_for(pid);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGQUIT && WCOREDUMP(status) && core_exists(core_name),
        "kill(SIGQUIT): WCOREDUMP and a core (%s)", describe_wait_status(status));
    check_no_core('w', SIGTERM, RLIM_INFINITY, 1, "kill(SIGTERM)");
    check_no_core('a', 0, 0, 1, "RLIMIT_CORE 0");
    check_no_core('a', 0, 4095, 1, "RLIMIT_CORE 4095, below a page");
    check_no_core('a', 0, RLIM_INFINITY, 0, "PR_SET_DUMPABLE 0");
    pid = child_that('a', 8192, 1);
    status = wait_for(pid);
    struct stat st = { 0 };
    char path[160];
    snprintf(path, sizeof path, "%s/%s", directory, core_name);
    int cut = stat(path, &st) == 0 && st.st_size > 0 && (size_t)st.st_size < full_size;
    ok(WIFSIGNALED(status) && WCOREDUMP(status) && cut,
        "RLIMIT_CORE 8192: WCOREDUMP and a core cut short (%ld bytes of %zu)", (long)st.st_size, full_size);
    remove_core(core_name);

    struct utsname name;
    if (uname(&name) == 0 && strcmp(name.sysname, "Pagoda") == 0) {
        int fd = open(PATTERN, O_WRONLY);
        ok(fd >= 0 && write(fd, "%e-%p.dump\n", 11) == 11, "core_pattern set to %%e-%%p.dump");
        close(fd);
        pid = child_that('a', RLIM_INFINITY, 1);
        status = wait_for(pid);
        char expected[64];
        snprintf(expected, sizeof expected, "core_dumps-%d.dump", (int)pid);
        ok(WCOREDUMP(status) && core_exists(expected), "the core is %s", expected);
        remove_core(expected);
        fd = open(PATTERN, O_WRONLY);
        ok(fd >= 0 && write(fd, "|/bin/cat", 9) == 9, "core_pattern set to |/bin/cat");
        close(fd);
        check_no_core('a', 0, RLIM_INFINITY, 1, "a pattern that pipes (not supported)");
        fd = open(PATTERN, O_WRONLY);
        ok(fd >= 0 && write(fd, "core\n", 5) == 5 && read_whole_file(PATTERN, pattern, sizeof pattern) == 5,
            "core_pattern restored");
        close(fd);
    } else {
        skip("not Pagoda", "core_pattern %%e-%%p and |program (it would change this machine's)");
    }
    rmdir(directory);
    return tap_done();
}
