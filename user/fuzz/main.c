/* main.c — the fuzzer's entry: refuses to run anywhere but a throw-away guest, prepares the
 * scratch trees (/tmp/fz, /mnt/fz), runs a short warm-up round and measures the kernel's
 * memory, runs the real round under a watchdog, cleans up, measures again, and reports.
 *
 *   fuzz [--calls N] [--seed S] [--workers W] [--worker W[,W...]] [--replay] [--from I]
 *        [--only-file F] [--stall-ms MS] [--kill-wait-ms MS] [--child-ms MS]
 *        [--leak-kb KB] [--warmup N] [--checkpoint N] [--calls-only A,B | --calls-skip A,B]
 *        [--throwaway-guest]
 *
 * --calls is the number of calls per worker. Every line of output starts with "fuzz: ";
 * tools/fuzz parses them (see docs/testing.md). Exit status 0: no hang, no leak; 1: a
 * problem was reported; 2: refused or bad usage. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct options g_options = { .seed = 1, .calls = 1000, .workers = 4, .only_worker = -1, .stall_ms = 1500,
    .kill_wait_ms = 5000, .child_ms = 300, .leak_tolerance_kb = 64, .warmup = 200, .checkpoint = 200 };

#define OUT 1
#define MAX_SLOTS 64

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- kernel memory, from /proc/vmstat (kernel_heap_* are Pagoda's) ---- */
struct memory {
    long heap_bytes, heap_objects, frames_free, page_cache;
};

static long field(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; (p = strstr(p, name)); p += n)
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return atol(p + n + 1);
    return -1;
}

static struct memory measure_once(void)
{
    static char text[16384];
    struct memory m = { -1, -1, -1, -1 };
    int fd = open("/proc/vmstat", O_RDONLY);
    if (fd < 0)
        return m;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = 0;
    m.heap_bytes = field(text, "kernel_heap_bytes");
    m.heap_objects = field(text, "kernel_heap_objects");
    m.frames_free = field(text, "frames_free");
    if (m.frames_free < 0)
        m.frames_free = field(text, "nr_free_pages");
    m.page_cache = field(text, "page_cache_pages");
    return m;
}

/* The kernel frees some objects late (ext2 drops deleted inodes when the flusher runs, not at
 * sync()): wait until two readings 500 ms apart agree, after at least 1.5 s (tools/fuzz boots
 * with flush_interval=1), 15 s at most. */
static struct memory measure(void)
{
    struct memory last = measure_once();
    long start = now_ms();
    for (;;) {
        struct timespec t = { 0, 500000000 };
        nanosleep(&t, NULL);
        struct memory m = measure_once();
        long waited = now_ms() - start;
        if ((waited >= 1500 && m.heap_bytes == last.heap_bytes && m.heap_objects == last.heap_objects) || waited > 15000)
            return m;
        last = m;
    }
}

/* ---- the scratch trees ---- */

/* Removes everything below the directory fd (not the directory itself). Returns the number
 * of entries it could not remove. It lists the directory again after every pass that removed
 * something: a listing need not show every entry while entries are being removed. */
static int remove_tree_at(int dirfd, int depth)
{
    static char *buf[256];
    if (depth >= 256)
        return 1;
    if (!buf[depth] && !(buf[depth] = malloc(4096)))
        return 1;
    int left = 0;
    for (int pass = 0; pass < 64; ++pass) {
        int removed_any = 0, failures = 0;
        left = 0;
        lseek(dirfd, 0, SEEK_SET);
        for (;;) {
            long n = syscall(217, dirfd, buf[depth], 4096);
            if (n <= 0)
                break;
            for (long off = 0; off < n;) {
                struct dirent64 { u64 ino; i64 off; unsigned short reclen; unsigned char type; char name[]; } *d
                    = (void *)(buf[depth] + off);
                off += d->reclen;
                if (!strcmp(d->name, ".") || !strcmp(d->name, "..") || (depth == 0 && !strcmp(d->name, "lost+found")))
                    continue;
                if (unlinkat(dirfd, d->name, 0) == 0) {
                    removed_any = 1;
                    continue;
                }
                int sub = openat(dirfd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                if (sub >= 0) {
                    fchmod(sub, 0777);
                    failures += remove_tree_at(sub, depth + 1);
                    close(sub);
                }
                if (unlinkat(dirfd, d->name, AT_REMOVEDIR) == 0) {
                    removed_any = 1;
                } else {
                    left++;
                    if (!removed_any)
                        say(OUT, "fuzz: cleanup: cannot remove \"%.60s\" (%zu bytes) at depth %d: errno %d", d->name,
                            strlen(d->name), depth, errno);
                }
            }
        }
        if (!removed_any)
            return left + failures;
    }
    return left;
}

/* The names in / at start: fuzzed paths like "/a" create files in the root file system too,
 * and the cleanup removes whatever was not there before. */
static char g_root_names[64][256];
static int g_root_count;

static void remember_root(void)
{
    DIR *d = opendir("/");
    struct dirent *e;
    while (d && (e = readdir(d)) && g_root_count < 64)
        snprintf(g_root_names[g_root_count++], sizeof g_root_names[0], "%s", e->d_name);
    if (d)
        closedir(d);
}

static int clean_root(void)
{
    int left = 0;
    char stale[64][256];
    int n = 0;
    DIR *d = opendir("/");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 64) {
        int known = 0;
        for (int i = 0; i < g_root_count && !known; ++i)
            known = !strcmp(g_root_names[i], e->d_name);
        if (!known)
            snprintf(stale[n++], sizeof stale[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    int root = open("/", O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < n; ++i) {
        if (unlinkat(root, stale[i], 0) == 0)
            continue;
        int sub = openat(root, stale[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (sub >= 0) {
            left += remove_tree_at(sub, 1);
            close(sub);
        }
        if (unlinkat(root, stale[i], AT_REMOVEDIR) != 0) {
            say(OUT, "fuzz: cleanup: cannot remove /%.60s: errno %d", stale[i], errno);
            left++;
        }
    }
    close(root);
    return left;
}

static int clean_scratch(void)
{
    int left = 0;
    chdir("/");
    left += clean_root();
    const char *roots[] = { "/tmp", g_options.have_disk ? "/mnt" : NULL };
    for (int i = 0; i < 2; ++i) {
        if (!roots[i])
            continue;
        int fd = open(roots[i], O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
            say(OUT, "fuzz: cleanup: cannot open %s (errno %d)", roots[i], errno);
            left++;
            continue;
        }
        chmod(roots[i], 01777);
        int n = remove_tree_at(fd, 0);
        close(fd);
        if (n)
            say(OUT, "fuzz: cleanup: %d entries under %s could not be removed (last errno %d)", n, roots[i], errno);
        left += n;
    }
    sync();
    return left;
}

void build_template_elf(unsigned char *e);

static void write_file(const char *path, const void *data, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return;
    write(fd, data, n);
    close(fd);
}

static void prepare_scratch(void)
{
    static char pattern[MAP_FILE_SIZE];
    for (size_t i = 0; i < sizeof pattern; ++i)
        pattern[i] = (char)('a' + i % 26);
    unsigned char elf[188];
    build_template_elf(elf);
    const char *dirs[] = { "/tmp/fz", "/mnt/fz" };
    for (int i = 0; i < (g_options.have_disk ? 2 : 1); ++i) {
        char p[96];
        mkdir(dirs[i], 0777);
        snprintf(p, sizeof p, "%s/d", dirs[i]);
        mkdir(p, 0777);
        snprintf(p, sizeof p, "%s/d/e", dirs[i]);
        mkdir(p, 0777);
        snprintf(p, sizeof p, "%s/map", dirs[i]);
        write_file(p, pattern, sizeof pattern, 0644);
        snprintf(p, sizeof p, "%s/a", dirs[i]);
        write_file(p, pattern, 1000, 0644);
        snprintf(p, sizeof p, "%s/elf", dirs[i]);
        write_file(p, elf, sizeof elf, 0755);
        snprintf(p, sizeof p, "%s/l", dirs[i]);
        symlink("l2", p);
        snprintf(p, sizeof p, "%s/l2", dirs[i]);
        symlink("l", p);
        snprintf(p, sizeof p, "%s/s", dirs[i]);
        symlink("/proc/self/exe", p);
        snprintf(p, sizeof p, "%s/up", dirs[i]);
        symlink("../../../../..", p);
    }
}

/* ---- the watchdog ---- */

struct worker_state {
    int id;
    pid_t pid;
    struct slot *slot;
    u64 last_heartbeat;
    long last_progress_ms;
    long killed_at_ms;    /* 0: not killed */
    int finished;
    int restarts;
};

struct orphan {
    pid_t pid;
    long killed_at_ms;
    int reported;
};

struct round_result {
    int hangs, deaths, stuck, slow;
    u64 calls, in_child, results[8];
};

static struct slot *g_slots;
static int g_next_slot;
static pid_t g_abandoned[MAX_SLOTS];
static int g_abandoned_count;

static struct slot *new_slot(void)
{
    if (g_next_slot >= MAX_SLOTS)
        return NULL;
    struct slot *s = &g_slots[g_next_slot++];
    memset((void *)s, 0, sizeof *s);
    return s;
}

/* The call `index` of the worker whose slot is s, as the worker made it (the slot has the
 * worker state its arguments depend on, when index is the slot's current call). */
static void describe_index(char *out, size_t cap, u64 seed, int worker, struct slot const *s, u64 index)
{
    struct rng r = rng_for_call(seed, (u64)worker, index);
    const struct call *c = choose_call(&r);
    struct arg a[6];
    args_set_worker_state(s->state_brk, s->state_self, s->state_child);
    generate_arguments(&r, c, a);
    if (c->flags & F_RANDOM_NR) {
        a[0].value = (u64)random_syscall_number(&r);
        a[0].tag = "nr";
    }
    describe_call(out, cap, c, a);
}

static int start_worker(struct worker_state *w, u64 from)
{
    struct slot *s = new_slot();
    if (!s) {
        say(OUT, "fuzz: out of slots: worker %d not restarted", w->id);
        w->finished = 1;
        return -1;
    }
    s->index = from;
    pid_t pid = fork();
    if (pid < 0) {
        say(OUT, "fuzz: fork of worker %d failed (errno %d)", w->id, errno);
        w->finished = 1;
        return -1;
    }
    if (pid == 0)
        worker_main(w->id, s, from);
    w->pid = pid;
    w->slot = s;
    w->last_heartbeat = s->heartbeat;
    w->last_progress_ms = now_ms();
    w->killed_at_ms = 0;
    return 0;
}

static int is_known(pid_t pid, struct worker_state *ws, int n)
{
    for (int i = 0; i < n; ++i)
        if (ws[i].pid == pid && !ws[i].finished)
            return 1;
    for (int i = 0; i < g_abandoned_count; ++i)
        if (g_abandoned[i] == pid)
            return 1;
    return 0;
}

/* Every process whose parent is us but which is not a worker (a worker's orphaned child):
 * SIGKILL it, and report it if it is still there kill_wait_ms later. */
static char g_process_summary[256]; /* processes that are not ours, for the progress line */

static void sweep_orphans(struct worker_state *ws, int n, struct orphan *orphans, int *count, struct round_result *res,
    int final)
{
    size_t summary = 0;
    int total = 0;
    g_process_summary[0] = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return;
    pid_t self = getpid();
    struct dirent *e;
    long now = now_ms();
    int seen[256] = { 0 };
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        pid_t pid = atoi(e->d_name);
        total++;
        if (pid == self || is_known(pid, ws, n))
            continue;
        char path[64], text[512];
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, text, sizeof text - 1);
        close(fd);
        if (len <= 0)
            continue;
        text[len] = 0;
        char *p = strrchr(text, ')');
        char state;
        int ppid;
        if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
            continue;
        if (state != 'Z' && summary < sizeof g_process_summary - 24)
            summary += (size_t)snprintf(g_process_summary + summary, sizeof g_process_summary - summary, " %d/%d%c",
                pid, ppid, state);
        if (ppid != self || state == 'Z')
            continue;
        int i;
        for (i = 0; i < *count && orphans[i].pid != pid; ++i)
            ;
        if (i == *count) {
            if (*count >= 256)
                continue;
            orphans[(*count)++] = (struct orphan) { pid, now, 0 };
            kill(pid, SIGKILL);
        } else if (!orphans[i].reported && now - orphans[i].killed_at_ms > g_options.kill_wait_ms) {
            orphans[i].reported = 1;
            res->hangs++;
            say(OUT, "fuzz: HANG orphan pid=%d state=%c: not dead %d ms after SIGKILL", pid, state,
                g_options.kill_wait_ms);
        }
        if (i < 256)
            seen[i] = 1;
    }
    closedir(d);
    if (summary < sizeof g_process_summary - 16)
        snprintf(g_process_summary + summary, sizeof g_process_summary - summary, " (%d processes)", total);
    /* forget orphans that are gone */
    for (int i = 0; i < *count; ++i)
        if (!seen[i] && !orphans[i].reported) {
            orphans[i] = orphans[--*count];
            seen[i] = seen[*count];
            --i;
        }
    (void)final;
}

static struct round_result run_round(u64 seed, u64 from, int quiet, const char *name)
{
    say(OUT, "fuzz: round %s seed=%lu calls=%lu", name, (unsigned long)seed, (unsigned long)g_options.calls);
    struct round_result res = { 0 };
    struct worker_state ws[MAX_SLOTS];
    struct orphan orphans[256];
    int orphan_count = 0;
    int n = 0;
    u64 saved_seed = g_options.seed;
    g_options.seed = seed;
    g_next_slot = 0;
    for (int w = 0; w < g_options.workers; ++w) {
        if (g_options.worker_mask && !(g_options.worker_mask & (1u << w)))
            continue;
        ws[n] = (struct worker_state) { .id = w };
        start_worker(&ws[n], from);
        ++n;
    }
    long started = now_ms(), last_sweep = started, last_report = started;
    for (;;) {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            int i;
            for (i = 0; i < n && (ws[i].pid != pid || ws[i].finished); ++i)
                ;
            if (i == n)
                continue; /* an orphan, or an abandoned worker that finally died */
            struct worker_state *w = &ws[i];
            struct slot *s = w->slot;
            if (s->done && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                w->finished = 1;
                continue;
            }
            char text[1024];
            describe_index(text, sizeof text, seed, w->id, s, s->index);
            if (w->killed_at_ms) {
                res.stuck++;
                if (!quiet)
                    say(OUT, "fuzz: stuck w=%d i=%lu (no progress for %d ms; died %ld ms after SIGKILL): %s", w->id,
                        (unsigned long)s->index, g_options.stall_ms, now_ms() - w->killed_at_ms, text);
            } else {
                res.deaths++;
                if (!quiet || g_options.replay)
                    say(OUT, "fuzz: died w=%d i=%lu %s %d: %s", w->id, (unsigned long)s->index,
                        WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                        text);
            }
            res.calls += s->calls_made;
            res.in_child += s->in_child;
            for (int k = 0; k < 8; ++k)
                res.results[k] += s->results[k];
            if (s->index + 1 < g_options.calls) {
                w->restarts++;
                start_worker(w, s->index + 1);
            } else {
                w->finished = 1;
            }
        }
        long now = now_ms();
        int running = 0;
        for (int i = 0; i < n; ++i) {
            struct worker_state *w = &ws[i];
            if (w->finished)
                continue;
            running++;
            struct slot *s = w->slot;
            if (s->hang_pid) {
                char text[1024];
                describe_index(text, sizeof text, seed, w->id, s, s->hang_index);
                say(OUT, "fuzz: HANG w=%d i=%lu pid=%d: a child making this call was not dead %d ms after SIGKILL: %s",
                    w->id, (unsigned long)s->hang_index, s->hang_pid, g_options.kill_wait_ms, text);
                res.hangs++;
                if (g_abandoned_count < MAX_SLOTS)
                    g_abandoned[g_abandoned_count++] = s->hang_pid;
                s->hang_pid = 0;
            }
            if (s->slow_ms) {
                say(OUT, "fuzz: SLOW w=%d i=%lu: fork() for a call in a child took %lu ms (the kernel was busy that long)",
                    w->id, (unsigned long)s->slow_index, (unsigned long)s->slow_ms);
                res.slow++;
                s->slow_ms = 0;
            }
            if (s->heartbeat != w->last_heartbeat) {
                w->last_heartbeat = s->heartbeat;
                w->last_progress_ms = now;
            } else if (!w->killed_at_ms && now - w->last_progress_ms > g_options.stall_ms) {
                kill(w->pid, SIGKILL);
                w->killed_at_ms = now;
            } else if (w->killed_at_ms && now - w->killed_at_ms > g_options.kill_wait_ms) {
                char text[1024];
                describe_index(text, sizeof text, seed, w->id, s, s->index);
                say(OUT, "fuzz: HANG w=%d i=%lu pid=%d: not dead %d ms after SIGKILL: %s", w->id,
                    (unsigned long)s->index, w->pid, g_options.kill_wait_ms, text);
                res.hangs++;
                if (g_abandoned_count < MAX_SLOTS)
                    g_abandoned[g_abandoned_count++] = w->pid;
                res.calls += s->calls_made;
                if (s->index + 1 < g_options.calls) {
                    w->restarts++;
                    start_worker(w, s->index + 1);
                } else {
                    w->finished = 1;
                }
            }
        }
        if (now - last_sweep >= 1000) {
            sweep_orphans(ws, n, orphans, &orphan_count, &res, 0);
            last_sweep = now;
        }
        if (now - last_report >= 10000) {
            char line[512];
            size_t len = (size_t)snprintf(line, sizeof line, "fuzz: progress seed=%lu t=%lds", (unsigned long)seed,
                (now - started) / 1000);
            for (int i = 0; i < n && len < sizeof line; ++i)
                len += (size_t)snprintf(line + len, sizeof line - len, " w%d=%lu%s", ws[i].id,
                    (unsigned long)ws[i].slot->index, ws[i].finished ? "(done)" : "");
            say(OUT, "%s; others pid/ppid/state:%s", line, g_process_summary);
            last_report = now;
        }
        if (!running)
            break;
        struct timespec t = { 0, 5000000 };
        nanosleep(&t, NULL);
    }
    for (int i = 0; i < n; ++i) {
        res.calls += ws[i].slot->calls_made;
        res.in_child += ws[i].slot->in_child;
        for (int k = 0; k < 8; ++k)
            res.results[k] += ws[i].slot->results[k];
    }
    /* Orphans left behind: kill them, give them kill_wait_ms, report those still there. */
    long end = now_ms() + g_options.kill_wait_ms + 500;
    for (int pass = 0; now_ms() < end; ++pass) {
        sweep_orphans(ws, n, orphans, &orphan_count, &res, 1);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        int live = 0;
        for (int i = 0; i < orphan_count; ++i)
            live += !orphans[i].reported;
        if (!live)
            break;
        struct timespec t = { 0, 100000000 };
        nanosleep(&t, NULL);
    }
    g_options.seed = saved_seed;
    return res;
}

/* ---- options ---- */

static int parse_only_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t cap = 1024, n = 0;
    u64 *list = malloc(cap * sizeof *list);
    unsigned long a, b;
    char sep;
    while (fscanf(f, "%lu", &a) == 1) {
        b = a;
        if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%lu", &b) != 1)
            b = a;
        for (unsigned long v = a; v <= b; ++v) {
            if (n == cap)
                list = realloc(list, (cap *= 2) * sizeof *list);
            list[n++] = v;
        }
    }
    fclose(f);
    /* insertion into order */
    for (size_t i = 1; i < n; ++i)
        for (size_t j = i; j > 0 && list[j - 1] > list[j]; --j) {
            u64 t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
    g_options.only = list;
    g_options.only_count = n;
    return 0;
}

static void usage(void)
{
    say(OUT, "fuzz: usage: fuzz [--calls N] [--seed S] [--workers W] [--worker W[,W...]] [--replay] [--from I] "
             "[--only-file F] [--stall-ms MS] [--kill-wait-ms MS] [--child-ms MS] [--leak-kb KB] [--warmup N] "
             "[--checkpoint N] [--calls-only A,B | --calls-skip A,B] [--throwaway-guest]");
}

int main(int argc, char **argv)
{
    const char *only_file = NULL;
    for (int i = 1; i < argc; ++i) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NUM(name, field)                   \
        if (!strcmp(o, name) && v) {       \
            g_options.field = strtoull(v, NULL, 0); \
            ++i;                           \
            continue;                      \
        }
        NUM("--calls", calls) NUM("--seed", seed) NUM("--workers", workers)
        NUM("--from", from) NUM("--stall-ms", stall_ms) NUM("--kill-wait-ms", kill_wait_ms)
        NUM("--child-ms", child_ms) NUM("--leak-kb", leak_tolerance_kb) NUM("--warmup", warmup)
        NUM("--checkpoint", checkpoint) NUM("--print-from", print_from)
        if (!strcmp(o, "--worker") && v) { /* W or W,W,... */
            for (const char *p = v; *p;) {
                char *end;
                long w = strtol(p, &end, 10);
                if (end == p || w < 0 || w >= 16) {
                    usage();
                    return 2;
                }
                g_options.worker_mask |= 1u << w;
                if (w > g_options.only_worker)
                    g_options.only_worker = (int)w;
                p = *end == ',' ? end + 1 : end;
            }
            ++i;
            continue;
        }
        if (!strcmp(o, "--replay")) { g_options.replay = 1; continue; }
        if (!strcmp(o, "--heap-trace")) { g_options.heap_trace = 1; continue; }
        if (!strcmp(o, "--throwaway-guest")) { g_options.throwaway = 1; continue; }
        if (!strcmp(o, "--only-file") && v) { only_file = v; ++i; continue; }
        if ((!strcmp(o, "--calls-only") || !strcmp(o, "--calls-skip")) && v) {
            if (restrict_calls(v, !strcmp(o, "--calls-only")) != 0) {
                say(OUT, "fuzz: %s %s: unknown call name", o, v);
                return 2;
            }
            ++i;
            continue;
        }
        usage();
        return 2;
    }
    /* The guard: this program makes random system calls with random arguments. On a real
     * system it would delete files, fill memory and kill processes. */
    const char *env = getenv("PAGODA_FUZZ_THROWAWAY_GUEST");
    if (getpid() != 1 && !g_options.throwaway && !(env && !strcmp(env, "yes"))) {
        say(2, "fuzz: refusing to run: not pid 1. This fuzzer must run as the init of a throw-away guest "
               "(tools/fuzz boots it in QEMU); --throwaway-guest or PAGODA_FUZZ_THROWAWAY_GUEST=yes overrides.");
        return 2;
    }
    if (g_options.workers < 1 || g_options.workers > 16 || g_options.only_worker >= 16) {
        usage();
        return 2;
    }
    if (g_options.only_worker >= g_options.workers)
        g_options.workers = g_options.only_worker + 1;
    if (only_file && parse_only_file(only_file) != 0) {
        say(OUT, "fuzz: cannot read %s", only_file);
        return 2;
    }
    struct stat st;
    g_options.have_disk = stat("/mnt/lost+found", &st) == 0;
    remember_root();
    g_slots = mmap(NULL, MAX_SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g_slots == MAP_FAILED) {
        say(OUT, "fuzz: cannot map the slots");
        return 1;
    }
    /* describe_index() regenerates a call's arguments here, which writes their contents into
     * the worker layout's read-write pages: have them (workers map their own over these). */
    if (mmap((void *)RW_BASE, NONE_PAGE + PAGE - RW_BASE, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        say(OUT, "fuzz: cannot map the worker layout");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    say(OUT, "fuzz: start seed=%lu workers=%d calls=%lu from=%lu worker-mask=%#x replay=%d disk=%d pid=%d",
        (unsigned long)g_options.seed, g_options.workers, (unsigned long)g_options.calls,
        (unsigned long)g_options.from, g_options.worker_mask, g_options.replay, g_options.have_disk, getpid());

    long t_start = now_ms();
    int failed = 0;
    int replaying = g_options.replay || g_options.only;
    struct memory before = { -1, -1, -1, -1 };
    if (!replaying) {
        /* warm-up: the first uses of each path allocate things once (caches, tables). */
        if (g_options.warmup > 0) {
            u64 calls = g_options.calls;
            g_options.calls = (u64)g_options.warmup;
            clean_scratch();
            prepare_scratch();
            struct round_result w = run_round(g_options.seed ^ 0x5eedf00d5eedf00dull, 0, 1, "warm-up");
            g_options.calls = calls;
            if (w.hangs) {
                say(OUT, "fuzz: warm-up (seed %#lx) had %d hangs", (unsigned long)(g_options.seed ^ 0x5eedf00d5eedf00dull),
                    w.hangs);
                failed = 1;
            }
        }
        if (clean_scratch())
            failed = 1;
        before = measure();
        say(OUT, "fuzz: warm-up and cleanup took %ld ms", now_ms() - t_start);
        say(OUT, "fuzz: memory before heap_bytes=%ld heap_objects=%ld frames_free=%ld page_cache=%ld",
            before.heap_bytes, before.heap_objects, before.frames_free, before.page_cache);
    }
    prepare_scratch();
    long t0 = now_ms();
    struct round_result r = run_round(g_options.seed, g_options.from, 0, "main");
    long elapsed = now_ms() - t0;
    say(OUT, "fuzz: calls=%lu in-child=%lu ok=%lu efault=%lu einval=%lu enosys=%lu other-errors=%lu "
             "child-ok=%lu child-failed=%lu deaths=%d stuck=%d hangs=%d slow-forks=%d time=%ldms",
        (unsigned long)r.calls, (unsigned long)r.in_child, (unsigned long)r.results[0], (unsigned long)r.results[1],
        (unsigned long)r.results[2], (unsigned long)r.results[3], (unsigned long)r.results[4],
        (unsigned long)r.results[5], (unsigned long)r.results[6], r.deaths, r.stuck, r.hangs, r.slow, elapsed);
    if (r.hangs)
        failed = 1;
    if (replaying && clean_scratch()) /* a replay checks that everything can still be deleted, too */
        failed = 1;
    if (!replaying) {
        long t_clean = now_ms();
        if (clean_scratch())
            failed = 1;
        struct memory after = measure();
        say(OUT, "fuzz: cleanup took %ld ms", now_ms() - t_clean);
        say(OUT, "fuzz: memory after heap_bytes=%ld heap_objects=%ld frames_free=%ld page_cache=%ld", after.heap_bytes,
            after.heap_objects, after.frames_free, after.page_cache);
        if (before.heap_bytes >= 0 && after.heap_bytes >= 0) {
            long growth = after.heap_bytes - before.heap_bytes;
            say(OUT, "fuzz: kernel heap growth %+ld bytes, %+ld objects; free frames %+ld (tolerance %d KiB%s)", growth,
                after.heap_objects - before.heap_objects, after.frames_free - before.frames_free,
                g_options.leak_tolerance_kb, r.hangs ? "; hung processes still hold theirs" : "");
            if (growth > (long)g_options.leak_tolerance_kb * 1024) {
                say(OUT, "fuzz: LEAK kernel heap grew by %ld bytes (%+ld objects) over the run", growth,
                    after.heap_objects - before.heap_objects);
                failed = 1;
            }
        } else {
            say(OUT, "fuzz: kernel heap figures not available (no kernel_heap_bytes in /proc/vmstat)");
        }
    }
    say(OUT, "fuzz: result seed=%lu %s", (unsigned long)g_options.seed, failed ? "FAIL" : "PASS");
    return failed;
}
