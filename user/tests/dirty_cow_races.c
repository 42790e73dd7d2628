// dirty_cow_races — the race of Dirty COW (CVE-2016-5195) and its relatives: one thread
// drops the pages of a private mapping of a file opened read-only (madvise MADV_DONTNEED,
// in a loop) while another writes into that mapping, round after round:
//   - through /proc/self/mem (pwrite at the mapping's address: the kernel's forced write
//     into a PROT_READ private mapping, which must copy the page, never write the cache);
//   - with stores, and write() from the mapping into another file (the kernel reads the
//     buffer while its pages come and go);
//   - with read() from another file into the mapping (the kernel stores into it).
// In every interleaving: each call moves all its bytes; every byte of the mapping, and of
// what write() wrote, is either the file's or the marker; and afterwards the file is
// unchanged — through a fresh mapping, read(), its mtime, and (where the caches can be
// dropped: Pagoda, Linux as root) read again from the disk.
// disk: 16
// args: @DIR@
#include "file_util.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define PAGES 4
#define ROUNDS 1000
#define MARK_MEM 0xd1
#define MARK_STORE 0xd2
#define MARK_READ 0xd3
#define SEED 9

static unsigned char* victim_map; // MAP_PRIVATE of the read-only descriptor
static atomic_int dropping;
static _Atomic long drops;

static _Atomic long rounds_done; // the writing side's completed rounds

// Drops the pages, then waits for the writing side to finish a round before dropping them
// again: each drop lands somewhere in a round (the race), and the writing side always makes
// progress (dropping back to back, the dropper could take the pages away before every
// retried store).
static void* drop_pages(void* arg)
{
    (void)arg;
    long seen = atomic_load(&rounds_done);
    while (atomic_load(&dropping)) {
        if (madvise(victim_map, PAGES * PAGE, MADV_DONTNEED) == 0)
            atomic_fetch_add(&drops, 1);
        while (atomic_load(&rounds_done) == seen && atomic_load(&dropping))
            sched_yield();
        seen = atomic_load(&rounds_done);
    }
    return NULL;
}

static pthread_t dropper;
// Starts the dropper and returns once it has dropped the pages at least once.
static void start_dropping(void)
{
    atomic_store(&drops, 0);
    atomic_store(&dropping, 1);
    if (pthread_create(&dropper, NULL, drop_pages, NULL) != 0)
        bail("pthread_create failed");
    while (atomic_load(&drops) == 0)
        sched_yield();
}

// The writing side goes on for ROUNDS rounds and until the pages were dropped ROUNDS / 20
// times meanwhile (counted, not timed: on one CPU the two sides take turns).
static int more_rounds(int round) { return round < ROUNDS || atomic_load(&drops) < ROUNDS / 20; }
// A round is over: counted for the dropper, and on one CPU every eighth hands it the CPU.
static void end_round(int round)
{
    atomic_fetch_add(&rounds_done, 1);
    if (round % 8 == 7)
        sched_yield();
}

static void stop_dropping(void)
{
    atomic_store(&dropping, 0);
    pthread_join(dropper, NULL);
}

// The offset of round r's write: it walks every page and crosses page boundaries.
static size_t offset_of(int round) { return ((size_t)round * 1237) % (PAGES * PAGE - 64); }

// -1 if every byte of p[0..len) (file offset `offset`) is the file's or `mark`, else the index.
static long foreign_byte(unsigned char const volatile* p, size_t len, size_t offset, unsigned char mark)
{
    for (size_t i = 0; i < len; ++i)
        if (p[i] != pattern_byte(SEED, offset + i) && p[i] != mark)
            return (long)i;
    return -1;
}

static int mapping_is_file_or(unsigned char mark) { return foreign_byte(victim_map, PAGES * PAGE, 0, mark) < 0; }

static void race_proc_mem(void)
{
    int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    if (mem < 0)
        bail("open /proc/self/mem failed (errno=%d)", errno);
    unsigned char marker[64];
    memset(marker, MARK_MEM, sizeof marker);
    int short_writes = 0, last_errno = 0;
    start_dropping();
    int round = 0;
    for (; more_rounds(round); ++round) {
        ssize_t n = pwrite(mem, marker, sizeof marker, (off_t)(uintptr_t)(victim_map + offset_of(round)));
        if (n != (ssize_t)sizeof marker) {
            ++short_writes;
            last_errno = errno;
        }
        end_round(round);
    }
    stop_dropping();
    close(mem);
    ok(short_writes == 0,
        "%d forced writes through /proc/self/mem into a PROT_READ private mapping against MADV_DONTNEED (%ld drops): all "
        "written (%d short, errno %d)",
        round, atomic_load(&drops), short_writes, last_errno);
    ok(mapping_is_file_or(MARK_MEM), "the mapping holds only the file's bytes and the writes'");
}

static void race_store_and_write(int sink)
{
    int short_writes = 0, last_errno = 0;
    start_dropping();
    int rounds = 0;
    for (; more_rounds(rounds); ++rounds) {
        size_t at = offset_of(rounds);
        memset(victim_map + at, MARK_STORE, 64);
        ssize_t n = write(sink, victim_map + (at & ~(size_t)(PAGE - 1)), PAGE);
        if (n != PAGE) {
            ++short_writes;
            last_errno = errno;
        }
        end_round(rounds);
    }
    stop_dropping();
    ok(short_writes == 0,
        "%d rounds of stores into the private mapping and write() of its page elsewhere, against MADV_DONTNEED (%ld "
        "drops): all written (%d short, errno %d)",
        rounds, atomic_load(&drops), short_writes, last_errno);
    // What write() took from the mapping: each page-sized record is the file's bytes or stores.
    static unsigned char record[PAGE];
    long foreign = 0;
    for (int round = 0; round < rounds; ++round) {
        size_t page_start = offset_of(round) & ~(size_t)(PAGE - 1);
        if (pread(sink, record, PAGE, (off_t)round * PAGE) != PAGE || foreign_byte(record, PAGE, page_start, MARK_STORE) >= 0)
            ++foreign;
    }
    ok(foreign == 0 && mapping_is_file_or(MARK_STORE),
        "what write() took, and the mapping, hold only the file's bytes and the stores (%ld foreign records)", foreign);
}

static void race_read_into(int source)
{
    int short_reads = 0, last_errno = 0;
    start_dropping();
    int round = 0;
    for (; more_rounds(round); ++round) {
        ssize_t n = pread(source, victim_map + offset_of(round), 64, 0);
        if (n != 64) {
            ++short_reads;
            last_errno = errno;
        }
        end_round(round);
    }
    stop_dropping();
    ok(short_reads == 0,
        "%d read()s from another file into the private mapping against MADV_DONTNEED (%ld drops): all read (%d short, "
        "errno %d)",
        round, atomic_load(&drops), short_reads, last_errno);
    ok(mapping_is_file_or(MARK_READ), "the mapping holds only the file's bytes and the read()s'");
}

// The file as a fresh reader sees it: through a new mapping and through read().
static int file_unchanged(char const* path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    unsigned char* fresh = mmap(NULL, PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    int mapped = fresh != MAP_FAILED && pattern_mismatch(fresh, PAGES * PAGE, SEED, 0) < 0;
    if (fresh != MAP_FAILED)
        munmap(fresh, PAGES * PAGE);
    static unsigned char content[PAGES * PAGE + 1];
    ssize_t n = pread(fd, content, sizeof content, 0);
    close(fd);
    return mapped && n == PAGES * PAGE && pattern_mismatch(content, PAGES * PAGE, SEED, 0) < 0;
}


int main(int argc, char** argv)
{
    char const* dir = disk_dir(argc, argv);
    tap_plan(9);
    alarm(120);
    char path[256], sink_path[256], source_path[256];
    file_path(path, sizeof path, dir, "victim");
    file_path(sink_path, sizeof sink_path, dir, "sink");
    file_path(source_path, sizeof source_path, dir, "source");
    int made = make_pattern_file(path, PAGES * PAGE, SEED);
    if (made < 0 || fsync(made) != 0 || close(made) != 0 || chmod(path, 0444) != 0)
        bail("making %s failed (errno=%d)", path, errno);
    struct stat was;
    stat(path, &was);

    int victim = open(path, O_RDONLY | O_CLOEXEC);
    int sink = open(sink_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int source = open(source_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    unsigned char marks[64];
    memset(marks, MARK_READ, sizeof marks);
    if (victim < 0 || sink < 0 || source < 0 || write(source, marks, sizeof marks) != sizeof marks)
        bail("opening the files failed (errno=%d)", errno);

    victim_map = mmap(NULL, PAGES * PAGE, PROT_READ, MAP_PRIVATE, victim, 0);
    if (victim_map == MAP_FAILED)
        bail("mmap PROT_READ MAP_PRIVATE of the read-only file failed (errno=%d)", errno);
    race_proc_mem();
    munmap(victim_map, PAGES * PAGE);

    victim_map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, victim, 0);
    if (victim_map == MAP_FAILED)
        bail("mmap PROT_READ|PROT_WRITE MAP_PRIVATE of the read-only file failed (errno=%d)", errno);
    race_store_and_write(sink);
    madvise(victim_map, PAGES * PAGE, MADV_DONTNEED); // the stores gone: only the read()s' marks may come
    race_read_into(source);
    munmap(victim_map, PAGES * PAGE);
    close(victim);

    ok(file_unchanged(path), "afterwards the file is unchanged: a fresh mapping and read() see its bytes");
    struct stat is;
    stat(path, &is);
    ok(is.st_size == was.st_size && is.st_mtim.tv_sec == was.st_mtim.tv_sec && is.st_mtim.tv_nsec == was.st_mtim.tv_nsec,
        "its size and mtime are unchanged");
    sync();
    if (drop_caches() == 0)
        ok(file_unchanged(path), "read back from the disk after dropping the caches: unchanged");
    else
        skip("the caches cannot be dropped here", "read back from the disk after dropping the caches: unchanged");
    close(sink);
    close(source);
    return tap_done();
}
