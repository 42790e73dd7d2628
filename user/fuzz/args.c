/* args.c — argument generators. Each argument kind has its own mix of ordinary values (so
 * that calls get past the first check and reach deep code) and adversarial ones: kernel and
 * non-canonical addresses, the last page below 2^47, unmapped and PROT_NONE pages, buffers
 * that end exactly at a page boundary followed by an unmapped or a read-only page,
 * read-only buffers, pages of shared file mappings, huge and off-by-one lengths, random
 * flags. Contents (paths, iovecs, timespecs, sigactions, argv) are written into the worker's
 * fixed read-write slots; the slot of argument i is RW_BASE + i * SLOT_SIZE. */
#include "fuzz.h"

#include <string.h>

static u64 g_brk0;      /* the worker's initial break (set by the worker) */
static long g_self_pid; /* the worker's pid */
static long g_child_pid;/* the newest child a fork-like call made (0 if none) */
void args_set_worker_state(u64 brk0, long self, long child)
{
    g_brk0 = brk0;
    g_self_pid = self;
    g_child_pid = child;
}

static const u64 INTERESTING[] = {
    0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 1023, 1024, 4095, 4096, 4097,
    8192, 65535, 65536, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff,
    0x100000000, 0x7ffffffff000, 0x800000000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
    0xfffffffffffff000, 0xfffffffffffffffe, 0xffffffff80000000, 0xffff800000000000, (u64)-100, (u64)-4096,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[rng_below((r), COUNT(a))])

u64 interesting_value(struct rng *r)
{
    switch (rng_below(r, 6)) {
    case 0: return rng_next(r);
    case 1: return rng_below(r, 64);
    case 2: return (u64)1 << rng_below(r, 64);
    case 3: return ((u64)1 << rng_below(r, 64)) - 1 + rng_below(r, 3) - 1;
    default: return PICK(r, INTERESTING);
    }
}

/* ---- pointers ---- */

static u64 slot_base(int position) { return RW_BASE + (u64)position * SLOT_SIZE; }

/* An address no user buffer can be at. Tag says which. */
static u64 bad_pointer(struct rng *r, const char **tag)
{
    static const u64 KERNEL[] = { 0xffff800000000000, 0xffff800000001000, 0xffff800000100000, 0xffffffff80000000,
        0xffffffff80100000, 0xfffffffffffff000, 0xfffffffffffffff8, 0xffffffffffffffff, 0xffff880000000000,
        0xffffc90000000000 };
    static const u64 NONCANONICAL[] = { 0x0000800000000000, 0x0000800000000008, 0x8000000000000000,
        0x1234567890abcdef, 0xfffe000000000000, 0x7fff800000000000, 0x00ff000000000000 };
    switch (rng_below(r, 9)) {
    case 0: *tag = "null"; return 0;
    case 1: *tag = "low"; return 1 + rng_below(r, 0xffff);
    case 2: case 3: {
        *tag = "kernel";
        u64 v = PICK(r, KERNEL);
        if (rng_chance(r, 30) && v < 0xffffffff00000000)
            v += rng_below(r, 1ul << 30) & ~7ul;
        return v;
    }
    case 4: *tag = "noncanonical"; return PICK(r, NONCANONICAL) + (rng_chance(r, 20) ? rng_below(r, PAGE) : 0);
    case 5: {
        /* the last page below 2^47, and addresses that straddle 2^47 */
        static const u64 OFF[] = { 0, 8, 0xff8, 0xfff, 0xffc, 0x800 };
        *tag = "top-user";
        return 0x7ffffffff000ul + PICK(r, OFF);
    }
    case 6: *tag = "hole"; return HOLE_PAGE + rng_below(r, PAGE);
    case 7: *tag = "prot-none"; return NONE_PAGE + rng_below(r, PAGE);
    default: *tag = "unmapped"; return (0x100000000000ul + (rng_below(r, 0x300000000000ul) & ~(PAGE - 1)));
    }
}

/* Where to put `n` bytes of content for argument `position`: usually a read-write slot,
 * sometimes right against a page boundary (cut short or exactly fitting), sometimes at a
 * read-only page of zeroes, sometimes nowhere (a bad pointer). Copies what fits. */
static u64 place(struct rng *r, int position, const void *data, size_t n, const char **tag)
{
    unsigned c = rng_below(r, 100);
    if (c < 74 || position >= SLOT_COUNT) {
        if (position >= SLOT_COUNT)
            position = SLOT_MISC;
        size_t room = SLOT_SIZE > n ? SLOT_SIZE - n : 0;
        u64 offset = rng_chance(r, 50) ? 0 : rng_below(r, room + 1);
        offset = rng_chance(r, 90) ? offset & ~7ul : offset;
        if (offset > room)
            offset = room;
        memcpy((void *)(slot_base(position) + offset), data, n < SLOT_SIZE ? n : SLOT_SIZE);
        *tag = "rw";
        return slot_base(position) + offset;
    }
    if (c < 86) {
        u64 end = c < 80 ? BU_END : BR_END;
        size_t fit = n < PAGE ? n : PAGE;
        size_t cut = rng_chance(r, 50) ? 0 : 1 + rng_below(r, fit < 8 ? fit : 8);
        if (cut > fit)
            cut = fit;
        u64 start = end - fit + cut;
        memcpy((void *)start, data, end - start);
        *tag = c < 80 ? (cut ? "cut-at-unmapped" : "ends-at-unmapped") : (cut ? "cut-at-ro" : "ends-at-ro");
        return start;
    }
    if (c < 90) {
        *tag = "ro-zeroes";
        return RO_PAGE + RO_ZEROES;
    }
    return bad_pointer(r, tag);
}

/* A buffer for the kernel to read (in) or write (out), with no particular content. */
static u64 buffer(struct rng *r, int position, int in, const char **tag)
{
    unsigned c = rng_below(r, 100);
    if (position >= SLOT_COUNT)
        position = SLOT_MISC;
    if (c < 40) {
        u64 offset = rng_chance(r, 50) ? 0 : rng_below(r, SLOT_SIZE);
        if (rng_chance(r, 70))
            offset &= ~(PAGE - 1);
        u64 p = slot_base(position) + offset;
        if (in) {
            u64 n = SLOT_SIZE - offset < 256 ? SLOT_SIZE - offset : 256;
            for (u64 i = 0; i < n; i += 8) {
                u64 v = rng_next(r);
                memcpy((void *)(p + i), &v, n - i < 8 ? n - i : 8);
            }
        }
        *tag = "rw";
        return p;
    }
    if (c < 54) {
        static const u64 BACK[] = { 0, 1, 4, 8, 16, 64, 100, 512, 2048, 4095, 4096 };
        u64 back = rng_chance(r, 70) ? PICK(r, BACK) : rng_below(r, PAGE + 1);
        int unmapped = c < 47;
        *tag = unmapped ? "ends-at-unmapped" : "ends-at-ro";
        return (unmapped ? BU_END : BR_END) - back;
    }
    if (c < 60) {
        *tag = "ro";
        return RO_PAGE + (rng_chance(r, 50) ? 0 : rng_below(r, PAGE));
    }
    if (c < 67) {
        static const u64 REGIONS[] = { MM_FILE_SHARED, MM_FILE_PRIVATE, MM_DISK_SHARED, MM_ANON_SHARED, MM_FILE_RO,
            MM_ANON, MM_BIG };
        *tag = "mapping";
        return PICK(r, REGIONS) + (rng_below(r, MAP_FILE_SIZE) & (rng_chance(r, 50) ? ~(PAGE - 1) : ~0ul));
    }
    if (c < 70) {
        *tag = "misaligned";
        return slot_base(position) + 1 + rng_below(r, 7) + 8 * rng_below(r, 64);
    }
    return bad_pointer(r, tag);
}

/* ---- paths ---- */

static const char *const PREFIXES[] = { "/tmp/fz/", "/tmp/fz/", "/tmp/fz/", "/mnt/fz/", "/mnt/fz/", "/tmp/fz/d/",
    "/mnt/fz/d/", "", "./", "../", "/", "/proc/", "/proc/self/", "/proc/1/", "/dev/", "/tmp/", "/mnt/",
    "/tmp/fz/d/e/", "/tmp/fz/l/", "//tmp//fz//", "/tmp/fz/../fz/" };
static const char *const NAMES[] = { "a", "b", "c", "d", "e", "map", "elf", "d/x", "d/e", "l", "l2", "s", "up",
    "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "nonexistent", "exe", "maps", "stat", "status", "cmdline",
    "pagemap", "null", "zero", "tty", "console", "meminfo", "vmstat", ".", "..", "", "fz", "tmp", "mnt",
    "a/b", "lost+found", "self", "1", "fifo" };
static const char *const SUFFIXES[] = { "/", "/.", "/..", "/x", "//" };

/* Writes a path (NUL-terminated) to buf; returns its size including the NUL. */
static size_t make_path(struct rng *r, char *buf, size_t cap)
{
    unsigned c = rng_below(r, 100);
    size_t n = 0;
    if (c < 86) {
        const char *p = PICK(r, PREFIXES), *name = PICK(r, NAMES);
        n = strlen(p);
        memcpy(buf, p, n);
        memcpy(buf + n, name, strlen(name));
        n += strlen(name);
        if (rng_chance(r, 8)) {
            const char *s = PICK(r, SUFFIXES);
            memcpy(buf + n, s, strlen(s));
            n += strlen(s);
        }
    } else if (c < 92) {
        /* long: a component of 255, 256 or more bytes, or a path near or past 4096 */
        static const size_t LONG[] = { 255, 256, 257, 300, 1000, 4095, 4096, 4097, 5000 };
        size_t len = PICK(r, LONG);
        memcpy(buf, "/tmp/fz/", 8);
        n = 8;
        int slashes = rng_chance(r, 50);
        for (; n < len && n < cap - 1; ++n)
            buf[n] = slashes && (n % 2) ? '/' : 'a' + (char)(n % 3 == 0);
    } else if (c < 95) {
        n = 0; /* the empty path */
    } else {
        size_t len = 1 + rng_below(r, 64);
        for (; n < len; ++n)
            buf[n] = (char)(1 + rng_below(r, 255));
    }
    buf[n++] = 0;
    return n;
}

/* ---- structured contents ---- */

static u64 timespec(struct rng *r, int position, const char **tag)
{
    static const i64 NSEC[] = { 0, 0, 0, 1, 1000, 1000000, 999999999, 1000000000, -1, 0x7fffffffffffffff };
    i64 ts[2];
    unsigned c = rng_below(r, 1000);
    ts[0] = c < 900 ? 0 : c < 920 ? 1 : c < 940 ? -1 : c < 947 ? 0x7fffffffffffffff : (i64)rng_below(r, 3);
    ts[1] = rng_chance(r, 80) ? (i64)rng_below(r, 2000000) : PICK(r, NSEC);
    if (rng_chance(r, 8)) {
        *tag = "null";
        return 0;
    }
    return place(r, position, ts, sizeof ts, tag);
}

static u64 sigaction_struct(struct rng *r, int position, const char **tag)
{
    u64 sa[4]; /* handler, flags, restorer, mask (the kernel's struct sigaction) */
    static const u64 FLAGS[] = { 0x4 /* SIGINFO */, 0x10000000 /* RESTART */, 0x80000000 /* RESETHAND */,
        0x40000000 /* NODEFER */, 0x08000000 /* ONSTACK */, 0x1 /* NOCLDSTOP */, 0x2 /* NOCLDWAIT */ };
    unsigned c = rng_below(r, 100);
    const char *unused;
    sa[0] = c < 25 ? 0 : c < 50 ? 1 : c < 95 ? (u64)fuzz_signal_handler : bad_pointer(r, &unused);
    sa[1] = 0x04000000; /* SA_RESTORER */
    for (int i = 0; i < 3; ++i)
        if (rng_chance(r, 30))
            sa[1] |= PICK(r, FLAGS);
    if (rng_chance(r, 5))
        sa[1] = rng_next(r);
    sa[2] = rng_chance(r, 97) ? (u64)fuzz_restorer : bad_pointer(r, &unused);
    sa[3] = rng_chance(r, 50) ? 0 : rng_next(r);
    if (rng_chance(r, 15)) {
        *tag = "null";
        return 0;
    }
    return place(r, position, sa, sizeof sa, tag);
}

static u64 sigset(struct rng *r, int position, const char **tag)
{
    u64 set[2] = { rng_chance(r, 30) ? 0 : rng_chance(r, 30) ? ~0ul : rng_next(r), rng_next(r) };
    if (rng_chance(r, 15)) {
        *tag = "null";
        return 0;
    }
    return place(r, position, set, sizeof set, tag);
}

static u64 length(struct rng *r);

static u64 iovec_array(struct rng *r, int position, int in, u64 *count, const char **tag)
{
    static u64 iov[1024][2];
    static const u64 COUNTS[] = { 0, 1, 1, 2, 2, 3, 4, 8, 16, 64, 1024 };
    u64 n = PICK(r, COUNTS);
    for (u64 i = 0; i < n; ++i) {
        const char *unused;
        iov[i][0] = i < 16 ? buffer(r, SLOT_NESTED, in, &unused) : iov[i % 16][0];
        iov[i][1] = rng_chance(r, 60) ? rng_below(r, 2 * PAGE) : length(r);
    }
    *count = n;
    return place(r, position, iov, n * 16, tag);
}

static u64 argv_array(struct rng *r, int position, const char **tag)
{
    u64 v[34];
    char text[64];
    u64 n = rng_chance(r, 80) ? rng_below(r, 4) : rng_below(r, 33);
    u64 offset = 0;
    const char *unused;
    for (u64 i = 0; i < n; ++i) {
        if (rng_chance(r, 5)) {
            v[i] = bad_pointer(r, &unused);
            continue;
        }
        size_t len = make_path(r, text, sizeof text);
        if (len > sizeof text)
            len = sizeof text;
        text[len - 1] = 0;
        v[i] = slot_base(SLOT_NESTED) + 0x2000 + offset;
        memcpy((void *)v[i], text, len);
        offset += len;
    }
    v[n] = 0;
    if (rng_chance(r, 10)) {
        *tag = "null";
        return 0;
    }
    /* without the terminating NULL, ending at a page boundary, now and then */
    return place(r, position, v, (n + (rng_chance(r, 95) ? 1 : 0)) * 8, tag);
}

/* ---- scalars ---- */

static u64 length(struct rng *r)
{
    static const u64 SMALL[] = { 0, 1, 2, 4, 8, 16 };
    static const u64 PAGEISH[] = { PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, SLOT_SIZE, SLOT_SIZE + 1, 3 * PAGE + 7 };
    static const u64 HUGE[] = { 0x7fffffff, 0x80000000, 0x7ffff000, 0xffffffff, 0x100000000, 0x800000000000,
        0x4000000000000000, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffff000, 0x7fffffffffffffff,
        0x8000000000000001, 0x10000000 };
    unsigned c = rng_below(r, 100);
    if (c < 25) return rng_below(r, 65);
    if (c < 40) return PICK(r, SMALL);
    if (c < 60) return PICK(r, PAGEISH);
    if (c < 75) return rng_below(r, 65536);
    if (c < 90) return PICK(r, HUGE);
    return interesting_value(r);
}

static int fd(struct rng *r)
{
    static const int EDGE[] = { 255, 256, 1023, 1024, 65535, 0x7fffffff, (int)0x80000000, -100, -2 };
    unsigned c = rng_below(r, 100);
    int v;
    if (c < 70) v = (int)rng_below(r, 16);
    else if (c < 80) v = 16 + (int)rng_below(r, 25);
    else if (c < 85) v = -1;
    else if (c < 95) v = PICK(r, EDGE);
    else v = (int)rng_next(r);
    return v == LOG_FD ? LOG_FD + 1 : v;
}

static u64 bits(struct rng *r, const u64 *set, size_t n, unsigned percent)
{
    u64 v = 0;
    for (size_t i = 0; i < n; ++i)
        if (rng_chance(r, percent))
            v |= set[i];
    return v;
}
#define BITS(r, set, percent) bits((r), (set), COUNT(set), (percent))

static u64 open_flags(struct rng *r)
{
    static const u64 F[] = { 0100, 0200, 0400, 01000, 02000, 04000, 010000, 040000, 0100000, 0200000, 0400000,
        01000000, 02000000, 04010000, 010000000, 020200000 };
    if (rng_chance(r, 4))
        return rng_next(r) & 0xffffffff;
    return rng_below(r, 4) | BITS(r, F, 12);
}

static u64 mmap_flags(struct rng *r)
{
    static const u64 F[] = { 0x40, 0x100, 0x800, 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000,
        0x80000, 0x100000, 0x4000000 };
    static const u64 BASE[] = { 1, 2, 2, 1, 3, 0 };
    if (rng_chance(r, 4))
        return rng_next(r) & 0xffffffff;
    u64 v = PICK(r, BASE) | BITS(r, F, 7);
    if (rng_chance(r, 30)) v |= 0x10;        /* MAP_FIXED */
    if (rng_chance(r, 50)) v |= 0x20;        /* MAP_ANONYMOUS */
    return v;
}

static u64 memory_address(struct rng *r, const char **tag)
{
    static const u64 REGION_PAGES[] = { 0x000, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800 };
    unsigned c = rng_below(r, 100);
    if (c < 60) {
        *tag = "arena";
        u64 page = rng_chance(r, 70) ? PICK(r, REGION_PAGES) + rng_below(r, 6) : rng_below(r, MM_SIZE / PAGE);
        return MM_BASE + page * PAGE;
    }
    if (c < 68) {
        static const u64 OFF[] = { 1, 0x800, 0xfff, 8 };
        *tag = "arena-unaligned";
        return MM_BASE + PICK(r, REGION_PAGES) * PAGE + PICK(r, OFF);
    }
    if (c < 73) {
        *tag = "wild";
        return (0x10000 + rng_below(r, 0x7ffffffe0000ul)) & ~(PAGE - 1);
    }
    if (c < 76) {
        *tag = "buffers";
        return RW_BASE + rng_below(r, (NONE_PAGE + PAGE - RW_BASE) / PAGE) * PAGE;
    }
    if (c < 82) {
        *tag = "zero";
        return 0;
    }
    if (c < 88) {
        static const u64 EDGE[] = { 0x7ffffffff000, 0x7fffffffe000, 0x7fffffff0000, 0x800000000000,
            0xfffffffffffff000, 0xffffffffffffe000, 0xffff800000000000, 0xffffffff80000000, 0x1000, 0x10000 };
        *tag = "edge";
        return PICK(r, EDGE);
    }
    return bad_pointer(r, tag);
}

static u64 memory_length(struct rng *r)
{
    static const u64 ODD[] = { 1, 4095, 4097, 3 * PAGE + 123, 0x800 };
    static const u64 BIG[] = { 0x200000, 0x201000, MM_SIZE, MM_SIZE + PAGE, 0x10000000 };
    static const u64 HUGE[] = { ~0ul, ~0ul - 0xfff, 0x8000000000000000, 0x800000000000, 0x7ffffffff000,
        0x400000000000, 0xfffffffffffff000, 0x800000000000 - MM_BASE, 0x800000000000 - MM_BASE + PAGE,
        0x10000000000 };
    unsigned c = rng_below(r, 100);
    if (c < 35) return (1 + rng_below(r, 4)) * PAGE;
    if (c < 45) return (5 + rng_below(r, 28)) * PAGE;
    if (c < 53) return 0;
    if (c < 63) return PICK(r, ODD);
    if (c < 73) return PICK(r, BIG);
    if (c < 88) return PICK(r, HUGE);
    return interesting_value(r);
}

static u64 signal_number(struct rng *r)
{
    static const u64 S[] = { 0, 9, 11, 13, 17, 19, 10, 12, 15, 1, 2, 3, 6, 7, 14, 18, 20, 31, 32, 33, 34, 64, 65 };
    unsigned c = rng_below(r, 100);
    if (c < 50) return PICK(r, S);
    if (c < 90) return rng_below(r, 66);
    if (c < 95) return (u64)-1;
    return rng_next(r);
}

/* Process ids for kill: ourselves, our newest child, or ids nobody has. Never 0, negative
 * or 1 (on Pagoda, with no process groups, those reach every process or init). */
static u64 kill_pid(struct rng *r, const char **tag)
{
    static const u64 NOBODY[] = { 0x7fffffff, 0x3fffffff, 4194304, 4194305, 999999 };
    unsigned c = rng_below(r, 100);
    if (c < 40) { *tag = "self"; return (u64)g_self_pid; }
    if (c < 75 && g_child_pid > 1) { *tag = "child"; return (u64)g_child_pid; }
    *tag = "nobody";
    return PICK(r, NOBODY);
}

static u64 wait_pid(struct rng *r, const char **tag)
{
    static const u64 P[] = { (u64)-1, (u64)-1, 0, 0x7fffffff, 0xffffffff80000000 /* INT_MIN */, (u64)-0x7fffffff,
        1, 2, 99999 };
    if (rng_chance(r, 30) && g_child_pid > 1) { *tag = "child"; return (u64)g_child_pid; }
    if (rng_chance(r, 5)) { *tag = "self"; return (u64)g_self_pid; }
    *tag = "";
    return (u64)(i64)(int)PICK(r, P);
}

static u64 futex_address(struct rng *r, int position, const char **tag)
{
    unsigned c = rng_below(r, 100);
    if (c < 40) { *tag = "rw"; return RW_BASE + SLOT_MISC * SLOT_SIZE + 4 * rng_below(r, 16); }
    if (c < 55) { *tag = "anon-shared"; return MM_ANON_SHARED + 4 * rng_below(r, 16); }
    if (c < 65) { *tag = "file-shared"; return MM_FILE_SHARED + 4 * rng_below(r, 16); }
    if (c < 70) { *tag = "disk-shared"; return MM_DISK_SHARED + 4 * rng_below(r, 16); }
    if (c < 75) { *tag = "misaligned"; return RW_BASE + SLOT_MISC * SLOT_SIZE + 1 + rng_below(r, 3); }
    return buffer(r, position, 0, tag);
}

/* ---- the dispatcher ---- */

struct state {
    u64 last_count; /* iovec entries written, for the following count argument */
};

static u64 one(struct rng *r, int kind, int position, struct arg *a, struct state *st)
{
    const char **tag = &a[position].tag;
    *tag = "";
    switch (kind) {
    case K_NONE: return 0;
    case K_FD: return (u64)(i64)fd(r);
    case K_MMFD: return rng_chance(r, 50) ? (u64)-1 : (u64)(i64)fd(r);
    case K_DIRFD: return rng_chance(r, 50) ? (u64)-100 : (u64)(i64)fd(r);
    case K_BUF_IN: return buffer(r, position, 1, tag);
    case K_BUF_OUT: case K_PTR: return buffer(r, position, 0, tag);
    case K_LEN: return length(r);
    case K_PATH: {
        static char text[6000];
        size_t n = make_path(r, text, sizeof text);
        if (rng_chance(r, 4)) {
            *tag = "ro-path";
            return RO_PAGE + RO_PATHS + 64 * rng_below(r, 8);
        }
        return place(r, position, text, n, tag);
    }
    case K_OFLAGS: return open_flags(r);
    case K_MODE: {
        unsigned c = rng_below(r, 10);
        return c < 7 ? rng_below(r, 010000) : c == 7 ? 0 : c == 8 ? 0777 : rng_next(r) & 0xffffffff;
    }
    case K_OFFSET: case K_MOFFSET: {
        static const u64 O[] = { 0, 0, 1, 4096, 8192, 0x7fffffff, 0x80000000, 0x100000000, 0x10000000000,
            0x7fffffffffffffff, (u64)-1, (u64)-4096, 0x8000000000000000, 0x7ffffffffffff000 };
        unsigned c = rng_below(r, 100);
        if (kind == K_MOFFSET && c < 60) return rng_below(r, 4) * PAGE;
        if (c < 30) return rng_below(r, 20000);
        if (c < 45) return rng_below(r, 64) * PAGE;
        return PICK(r, O);
    }
    case K_WHENCE: return rng_chance(r, 90) ? rng_below(r, 5) : interesting_value(r);
    case K_MADDR: return memory_address(r, tag);
    case K_MLEN: return memory_length(r);
    case K_PROT: {
        if (rng_chance(r, 8)) return rng_next(r) & 0xffffffff;
        u64 v = rng_below(r, 8);
        if (rng_chance(r, 5)) v |= rng_chance(r, 50) ? 0x01000000 : 0x02000000;
        if (rng_chance(r, 3)) v |= 8;
        return v;
    }
    case K_MFLAGS: return mmap_flags(r);
    case K_BRK: {
        unsigned c = rng_below(r, 100);
        *tag = "brk";
        if (c < 20) return 0;
        if (c < 50) return g_brk0 + rng_below(r, 64) * PAGE + (rng_chance(r, 20) ? rng_below(r, PAGE) : 0);
        if (c < 60) return g_brk0 - rng_below(r, 64) * PAGE;
        if (c < 70) return g_brk0 + (1ul << (20 + rng_below(r, 27)));
        *tag = "";
        return memory_address(r, tag);
    }
    case K_ADVICE: {
        u64 v = rng_chance(r, 90) ? rng_below(r, 26) : rng_next(r) & 0xffffffff;
        return v == 100 || v == 101 ? 4 : v; /* never MADV_HWPOISON / SOFT_OFFLINE */
    }
    case K_MSFLAGS: return rng_chance(r, 85) ? rng_below(r, 8) : interesting_value(r);
    case K_SIG: return signal_number(r);
    case K_SIGACT: return sigaction_struct(r, position, tag);
    case K_SIGSET: return sigset(r, position, tag);
    case K_SIGSETSIZE: return rng_chance(r, 85) ? 8 : PICK(r, ((const u64[]) { 0, 4, 16, 128, ~0ul }));
    case K_HOW: return rng_chance(r, 85) ? rng_below(r, 3) : interesting_value(r);
    case K_IOCTL: {
        static const u64 I[] = { 0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5414, 0x540f, 0x5410, 0x541b, 0x5421,
            0x5451, 0x5450, 0x540e, 0x5422, 0x80086601, 0x80081272, 0xc0185879, 0x4004667f };
        return rng_chance(r, 85) ? PICK(r, I) : interesting_value(r);
    }
    case K_IOVEC: return iovec_array(r, position, 1, &st->last_count, tag);
    case K_IOVCNT:
        if (rng_chance(r, 75)) return st->last_count;
        return PICK(r, ((const u64[]) { 0, 1, 1024, 1025, ~0ul, 0x7fffffff, 0x80000000, 17 }));
    case K_AMODE: return rng_chance(r, 90) ? rng_below(r, 8) : interesting_value(r);
    case K_PIPEFLAGS: case K_DUP3FLAGS:
        return rng_chance(r, 85) ? BITS(r, ((const u64[]) { 02000000, 04000, 040000 }), 30) : interesting_value(r);
    case K_TIMESPEC: return timespec(r, position, tag);
    case K_SECONDS: return rng_chance(r, 70) ? rng_below(r, 3) : interesting_value(r) & 0xffffffff;
    case K_ITIMERVAL: {
        /* {interval sec, usec, value sec, usec}: mostly short, sometimes invalid */
        i64 v[4] = { 0, (i64)rng_below(r, 200000), (i64)rng_below(r, 2), (i64)rng_below(r, 1000000) };
        if (rng_chance(r, 15))
            v[rng_below(r, 4)] = (i64)interesting_value(r);
        if (rng_chance(r, 10)) {
            *tag = "null";
            return 0;
        }
        return place(r, position, v, sizeof v, tag);
    }
    case K_WPID: return wait_pid(r, tag);
    case K_KPID: return kill_pid(r, tag);
    case K_PID0: {
        if (rng_chance(r, 50)) return 0;
        return kill_pid(r, tag);
    }
    case K_WAITOPT: {
        static const u64 W[] = { 2, 4, 8, 0x1000000, 0x20000000, 0x40000000, 0x80000000 };
        if (rng_chance(r, 5)) return rng_next(r) & 0xffffffff;
        return (rng_chance(r, 70) ? 1 : 0) | BITS(r, W, 8);
    }
    case K_FCNTL: {
        static const u64 C[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1030, 1031, 1032, 1033, 1034, 36, 37, 38 };
        return rng_chance(r, 90) ? PICK(r, C) : interesting_value(r);
    }
    case K_FCNTLARG: {
        unsigned c = rng_below(r, 100);
        if (c < 50) return rng_below(r, 64);
        if (c < 75) return buffer(r, position, 1, tag);
        return interesting_value(r);
    }
    case K_INT: case K_ANY: return interesting_value(r);
    case K_RES: return rng_chance(r, 90) ? rng_below(r, 17) : interesting_value(r);
    case K_CLOCK: return rng_chance(r, 85) ? rng_below(r, 12) : interesting_value(r);
    case K_TIMERFLAGS: return rng_chance(r, 85) ? rng_below(r, 2) : interesting_value(r);
    case K_FUTEX: return futex_address(r, position, tag);
    case K_FUTEXOP: {
        if (rng_chance(r, 5)) return rng_next(r) & 0xffffffff;
        return rng_below(r, 14) | (rng_chance(r, 50) ? 128 : 0) | (rng_chance(r, 15) ? 256 : 0);
    }
    case K_FUTEXVAL: {
        u64 address = a[0].value;
        u64 misc = RW_BASE + SLOT_MISC * SLOT_SIZE;
        if (rng_chance(r, 60) && address >= misc && address - misc <= SLOT_SIZE - 4) {
            u32 v;
            memcpy(&v, (void *)address, 4);
            return v;
        }
        return rng_chance(r, 50) ? rng_below(r, 4) : interesting_value(r);
    }
    case K_ATFLAGS:
        return rng_chance(r, 90)
            ? BITS(r, ((const u64[]) { 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000 }), 15)
            : interesting_value(r);
    case K_UNLINKFLAGS: return rng_chance(r, 90) ? (rng_chance(r, 50) ? 0x200 : 0) : interesting_value(r);
    case K_ARGV: return argv_array(r, position, tag);
    case K_CLONEFLAGS: {
        static const u64 F[] = { 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x40000,
            0x80000, 0x100000, 0x200000, 0x1000000, 0x80000000 };
        unsigned c = rng_below(r, 100);
        if (c < 40) return 17;
        if (c < 55) return 0x100 | 0x4000 | 17;
        if (c < 65) return 17 | BITS(r, ((const u64[]) { 0x80000, 0x100000, 0x200000, 0x1000000 }), 50);
        if (c < 95) return (rng_chance(r, 70) ? 17 : rng_below(r, 256)) | BITS(r, F, 12);
        return interesting_value(r);
    }
    case K_RENAMEFLAGS: return rng_chance(r, 80) ? rng_below(r, 8) & (rng_chance(r, 50) ? 0 : 7) : interesting_value(r);
    case K_STATXMASK: return PICK(r, ((const u64[]) { 0x7ff, 0xfff, 0xffffffff, 0, 1, 0x80000000 }));
    case K_GRNDFLAGS: return rng_chance(r, 85) ? rng_below(r, 8) : interesting_value(r);
    case K_ARCHCODE: {
        static const u64 A[] = { 0x1001, 0x1002, 0x1003, 0x1004, 0x1011, 0x1012, 0x3001, 0x4001, 0 };
        return rng_chance(r, 90) ? PICK(r, A) : interesting_value(r);
    }
    case K_REBOOT: {
        u64 v = rng_chance(r, 50) ? PICK(r, ((const u64[]) { 0, 0xfee1deae, 0x28121969, 0xdeadbeef })) : rng_next(r) & 0xffffffff;
        return v == 0xfee1dead ? 0 : v; /* never the real magic: reboot must only fail */
    }
    }
    return interesting_value(r);
}

void generate_arguments(struct rng *r, const struct call *c, struct arg out[6])
{
    struct state st = { 0 };
    for (int i = 0; i < 6; ++i) {
        out[i].tag = "";
        out[i].value = 0;
    }
    for (int i = 0; i < 6 && c->kinds[i] != K_NONE; ++i)
        out[i].value = one(r, c->kinds[i], i, out, &st);
}
