// proc_files — the /proc files programs (and these tests) rely on, in Linux's formats.
// args: alpha "two words" ""
// - /proc/self/maps: every line parses as "start-end perms offset dev inode [path]" with
//   start < end and perms like "r-xp"; a "[stack]" line covers a local variable; the line
//   covering main() is executable;
// - /proc/meminfo: MemTotal, MemFree, MemAvailable, Cached, Dirty, Writeback, CommitLimit,
//   SwapTotal as "Name:   N kB"; MemFree and MemAvailable <= MemTotal;
// - /proc/vmstat: "name value" lines with pgfault and nr_free_pages;
// - /proc/self/stat: pid == getpid(), (comm) == the program's name, state 'R', ppid == getppid();
// - /proc/self/status: Name:, State:, PPid: (== getppid()), VmRSS:, VmSwap: lines;
// - readlink /proc/self/exe: an absolute path to the same file as argv[0];
// - /proc/self/cmdline: argv joined by NULs (each argument NUL-terminated);
// - /proc/<pid>/status and /proc/<pid>/stat of a child blocked on a pipe: PPid is our pid;
// - stat of /proc/self: owned by our effective ids, dated now (not 1970); /proc/<pid> of a
//   child that became nobody is owned by nobody, and its status's Uid: and Gid: lines say
//   65534 four times.
#include "proc_util.h"
#include "tap.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static char text[65536];

int main(int argc, char** argv);

// The value after "Key:" on its own line in text, copied into value[256], or NULL.
static const char* field(const char* key, char* value)
{
    size_t klen = strlen(key);
    for (const char* line = text; *line;) {
        const char* end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if ((size_t)(end - line) > klen && strncmp(line, key, klen) == 0 && line[klen] == ':') {
            const char* v = line + klen + 1;
            while (v < end && (*v == ' ' || *v == '\t'))
                ++v;
            size_t n = (size_t)(end - v) < 255 ? (size_t)(end - v) : 255;
            memcpy(value, v, n);
            value[n] = '\0';
            return value;
        }
        line = *end ? end + 1 : end;
    }
    return NULL;
}

static void check_maps(void)
{
    ssize_t n = read_whole_file("/proc/self/maps", text, sizeof text);
    if (!ok(n > 0, "read /proc/self/maps (%zd bytes, errno=%d)", n, errno)) {
        skip("no maps", "maps lines parse");
        skip("no maps", "[stack] line");
        skip("no maps", "main() executable");
        return;
    }
    int lines = 0, bad = 0, stack_found = 0, main_exec = -1;
    char first_bad[128] = "";
    uintptr_t local = (uintptr_t)&n, main_address = (uintptr_t)&main;
    for (char* line = text; *line;) {
        char* end = strchr(line, '\n');
        if (end)
            *end = '\0';
        unsigned long start, stop, offset, inode;
        unsigned major, minor;
        char perms[8] = "";
        int consumed = 0;
        int fields = sscanf(line, "%lx-%lx %7s %lx %x:%x %lu%n", &start, &stop, perms, &offset, &major, &minor, &inode,
            &consumed);
        int good = fields == 7 && start < stop && strlen(perms) == 4 && (perms[0] == 'r' || perms[0] == '-')
            && (perms[1] == 'w' || perms[1] == '-') && (perms[2] == 'x' || perms[2] == '-')
            && (perms[3] == 'p' || perms[3] == 's') && (line[consumed] == '\0' || line[consumed] == ' ');
        ++lines;
        if (!good && !bad++)
            snprintf(first_bad, sizeof first_bad, "%.100s", line);
        const char* path = line + consumed;
        while (*path == ' ')
            ++path;
        if (good && strcmp(path, "[stack]") == 0 && local >= start && local < stop)
            stack_found = 1;
        if (good && main_address >= start && main_address < stop)
            main_exec = perms[2] == 'x';
        if (!end)
            break;
        line = end + 1;
    }
    ok(lines > 0 && bad == 0, "all %d lines of /proc/self/maps parse as 'start-end perms offset dev inode [path]' (%d bad%s%s)",
        lines, bad, bad ? ": " : "", first_bad);
    ok(stack_found, "a [stack] line covers a local variable (%#lx)", (unsigned long)local);
    ok(main_exec == 1, "the line covering main() (%#lx) is executable (%d)", (unsigned long)main_address, main_exec);
}

static void check_meminfo(void)
{
    ssize_t n = read_whole_file("/proc/meminfo", text, sizeof text);
    ok(n > 0, "read /proc/meminfo (%zd bytes, errno=%d)", n, errno);
    static const char* const keys[] = { "MemTotal", "MemFree", "MemAvailable", "Cached", "Dirty", "Writeback",
        "CommitLimit", "SwapTotal" };
    char missing[160] = "";
    long values[8];
    for (int i = 0; i < 8; ++i) {
        char vbuf[256];
        const char* v = field(keys[i], vbuf);
        char unit[8] = "";
        int consumed = 0;
        if (!v || sscanf(v, "%ld %7s%n", &values[i], unit, &consumed) != 2 || strcmp(unit, "kB") != 0 || v[consumed] != '\0'
            || values[i] < 0) {
            strcat(missing, " ");
            strcat(missing, keys[i]);
        }
    }
    ok(missing[0] == '\0', "/proc/meminfo has MemTotal MemFree MemAvailable Cached Dirty Writeback CommitLimit SwapTotal as "
                           "'Name: N kB' (missing or malformed:%s)",
        missing[0] ? missing : " none");
    ok(missing[0] == '\0' && values[0] > 0 && values[1] <= values[0] && values[2] <= values[0],
        "MemTotal > 0, MemFree and MemAvailable <= MemTotal (%ld, %ld, %ld kB)", values[0], values[1], values[2]);
}

static void check_vmstat(void)
{
    ssize_t n = read_whole_file("/proc/vmstat", text, sizeof text);
    int lines = 0, bad = 0, pgfault = 0, nr_free = 0;
    for (char* line = text; n > 0 && *line;) {
        char* end = strchr(line, '\n');
        if (end)
            *end = '\0';
        char name[64];
        long long value;
        int consumed = 0;
        if (sscanf(line, "%63s %lld%n", name, &value, &consumed) == 2 && line[consumed] == '\0') {
            pgfault |= strcmp(name, "pgfault") == 0;
            nr_free |= strcmp(name, "nr_free_pages") == 0;
        } else {
            ++bad;
        }
        ++lines;
        if (!end)
            break;
        line = end + 1;
    }
    ok(n > 0 && lines > 0 && bad == 0, "/proc/vmstat: %d lines, all 'name value' (%d bad, errno=%d)", lines, bad, errno);
    ok(pgfault && nr_free, "/proc/vmstat has pgfault (%d) and nr_free_pages (%d)", pgfault, nr_free);
}

// Parse "pid (comm) S ppid" from a stat file; returns 1 if the shape is right.
static int parse_stat(const char* path, int* pid, char* comm, size_t comm_len, char* state, int* ppid)
{
    if (read_whole_file(path, text, sizeof text) <= 0)
        return 0;
    char* open_paren = strchr(text, '(');
    char* close_paren = strrchr(text, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return 0;
    *pid = atoi(text);
    size_t len = (size_t)(close_paren - open_paren - 1);
    if (len >= comm_len)
        len = comm_len - 1;
    memcpy(comm, open_paren + 1, len);
    comm[len] = '\0';
    return sscanf(close_paren + 1, " %c %d", state, ppid) == 2;
}

int main(int argc, char** argv)
{
    tap_plan(27);
    const char* base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char expected_comm[16];
    snprintf(expected_comm, sizeof expected_comm, "%s", base); // the kernel keeps 15 characters

    check_maps();
    check_meminfo();
    check_vmstat();

    int pid = -1, ppid = -1;
    char comm[64] = "", state = '?';
    int parsed = parse_stat("/proc/self/stat", &pid, comm, sizeof comm, &state, &ppid);
    ok(parsed && pid == getpid() && ppid == getppid(), "/proc/self/stat: pid %d == getpid() %d, ppid %d == getppid() %d", pid,
        getpid(), ppid, getppid());
    ok(parsed && strcmp(comm, expected_comm) == 0 && state == 'R',
        "/proc/self/stat: comm (%s) is the program's name (%s), state 'R' ('%c')", comm, expected_comm, state);

    ssize_t n = read_whole_file("/proc/self/status", text, sizeof text);
    char name_buf[256], state_buf[256], ppid_buf[256], rss_buf[256];
    const char* name = n > 0 ? field("Name", name_buf) : NULL;
    int name_ok = name && strcmp(name, expected_comm) == 0;
    const char* st = n > 0 ? field("State", state_buf) : NULL;
    int state_ok = st && isupper((unsigned char)st[0]);
    const char* pp = n > 0 ? field("PPid", ppid_buf) : NULL;
    int ppid_ok = pp && atoi(pp) == getppid();
    const char* rss = n > 0 ? field("VmRSS", rss_buf) : NULL;
    int rss_ok = rss && atol(rss) > 0 && strstr(rss, "kB");
    ok(name_ok && state_ok, "/proc/self/status: Name: %s, State: %s", name ? name : "(missing)", st ? st : "(missing)");
    ok(ppid_ok, "/proc/self/status: PPid: %s == getppid() %d", pp ? pp : "(missing)", getppid());
    ok(rss_ok, "/proc/self/status: VmRSS: %s (> 0 kB)", rss ? rss : "(missing)");
    char swap_buf[256];
    const char* swap = n > 0 ? field("VmSwap", swap_buf) : NULL;
    ok(swap && strstr(swap, "kB"), "/proc/self/status: VmSwap: %s", swap ? swap : "(missing)");

    char link[4096];
    ssize_t len = readlink("/proc/self/exe", link, sizeof link - 1);
    if (len >= 0)
        link[len] = '\0';
    struct stat via_link, via_argv;
    int same = len > 0 && stat(link, &via_link) == 0 && stat(argv[0], &via_argv) == 0 && via_link.st_dev == via_argv.st_dev
        && via_link.st_ino == via_argv.st_ino && S_ISREG(via_link.st_mode);
    ok(len > 0 && link[0] == '/', "readlink(/proc/self/exe) is an absolute path (%s)", len > 0 ? link : "(failed)");
    ok(same, "/proc/self/exe names the same regular file as argv[0] (%s)", argv[0]);
    if (argv[0][0] == '/')
        ok(len > 0 && strcmp(link, argv[0]) == 0, "argv[0] is absolute: readlink(/proc/self/exe) equals it (%s vs %s)",
            len > 0 ? link : "(failed)", argv[0]);
    else
        skip("argv[0] is relative", "readlink(/proc/self/exe) equals argv[0]");

    n = read_whole_file("/proc/self/cmdline", text, sizeof text);
    size_t expected_len = 0;
    int cmd_ok = 1;
    for (int i = 0; i < argc; ++i) {
        size_t l = strlen(argv[i]) + 1;
        if (n < 0 || expected_len + l > (size_t)n || memcmp(text + expected_len, argv[i], l) != 0)
            cmd_ok = 0;
        expected_len += l;
    }
    ok(cmd_ok && n == (ssize_t)expected_len, "/proc/self/cmdline is argv joined by NULs (%zd bytes, expected %zu, argc %d)",
        n, expected_len, argc);

    // --- a child's /proc/<pid> ---
    int block[2];
    if (pipe(block))
        bail("pipe failed (errno=%d)", errno);
    pid_t child = fork();
    if (child == 0) {
        close(block[1]);
        char c;
        _exit(read(block[0], &c, 1) == 0 ? 0 : 1);
    }
    if (child < 0)
        bail("fork failed (errno=%d)", errno);
    close(block[0]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)child);
    n = read_whole_file(path, text, sizeof text);
    pp = n > 0 ? field("PPid", ppid_buf) : NULL;
    ok(pp && atoi(pp) == getpid(), "%s: PPid: %s == our pid %d", path, pp ? pp : "(missing)", getpid());
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    parsed = parse_stat(path, &pid, comm, sizeof comm, &state, &ppid);
    ok(parsed && pid == child && ppid == getpid() && strcmp(comm, expected_comm) == 0,
        "%s: pid %d, comm (%s), ppid %d", path, pid, comm, ppid);
    close(block[1]);
    int status = -1;
    pid_t w = waitpid(child, &status, 0);
    ok(w == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child is released and exits 0 (%s)",
        describe_wait_status(status));
    errno = 0;
    n = read_whole_file(path, text, sizeof text);
    ok(n < 0 && errno == ENOENT, "%s of the reaped child is gone: ENOENT (r=%zd errno=%d)", path, n, errno);

    struct stat self_stat;
    time_t now = time(NULL);
    ok(stat("/proc/self", &self_stat) == 0 && self_stat.st_uid == geteuid() && self_stat.st_gid == getegid()
            && self_stat.st_mtime > now - 60 && self_stat.st_mtime <= now + 5,
        "/proc/self: owned by uid %u gid %u, dated %ld (now %ld)", (unsigned)self_stat.st_uid, (unsigned)self_stat.st_gid,
        (long)self_stat.st_mtime, (long)now);
    if (geteuid() != 0) {
        skip("not root", "a child that became nobody");
        skip("not root", "its /proc folder is nobody's");
        skip("not root", "its status shows nobody's ids");
        return tap_done();
    }
    int ready[2], hold[2];
    pipe(ready);
    pipe(hold);
    child = fork();
    if (child == 0) {
        close(hold[1]);
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(1);
        write(ready[1], "r", 1);
        char c;
        _exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
    }
    close(hold[0]);
    char c;
    ok(read(ready[0], &c, 1) == 1, "a child became nobody");
    snprintf(path, sizeof path, "/proc/%d", (int)child);
    struct stat child_stat;
    ok(stat(path, &child_stat) == 0 && child_stat.st_uid == 65534 && child_stat.st_gid == 65534,
        "%s is nobody's (uid %u gid %u)", path, (unsigned)child_stat.st_uid, (unsigned)child_stat.st_gid);
    snprintf(path, sizeof path, "/proc/%d/status", (int)child);
    char uid_buf[256], gid_buf[256];
    n = read_whole_file(path, text, sizeof text);
    const char* uids = n > 0 ? field("Uid", uid_buf) : NULL;
    const char* gids = n > 0 ? field("Gid", gid_buf) : NULL;
    ok(uids && gids && strcmp(uids, "65534\t65534\t65534\t65534") == 0 && strcmp(gids, "65534\t65534\t65534\t65534") == 0,
        "%s: Uid and Gid are nobody's, real, effective, saved and file-system (Uid: %s, Gid: %s)", path,
        uids ? uids : "(missing)", gids ? gids : "(missing)");
    close(hold[1]);
    waitpid(child, NULL, 0);
    return tap_done();
}
