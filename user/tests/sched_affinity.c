// sched_affinity — sched_getaffinity/sched_setaffinity as Linux checks them:
//   - getaffinity returns the size it wrote (a multiple of 8, at most the buffer), with CPU 0
//     among the set bits and as many CPUs as sysconf(_SC_NPROCESSORS_ONLN) says at most;
//   - a length that is not a multiple of 8 or too small for the CPUs → EINVAL; a pid that
//     does not exist → ESRCH; a bad buffer → EFAULT;
//   - the CPUs online agree everywhere: getaffinity's bits, sysconf, /proc/cpuinfo's
//     "processor" blocks and /proc/stat's cpuN lines;
//   - pinned to each CPU in turn, the thread runs there before setaffinity returns: getcpu
//     (the vDSO's and the system call) names that CPU, and the CPU's /proc/stat line grows
//     by the time spun there;
//   - setaffinity to CPU 0 works and getaffinity then shows exactly CPU 0 (and getcpu says
//     CPU 0, node 0); an empty mask → EINVAL.
#define _GNU_SOURCE // sched_getcpu
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long get(int pid, unsigned long length, void* mask) { return syscall(SYS_sched_getaffinity, pid, length, mask); }
static long set(int pid, unsigned long length, const void* mask) { return syscall(SYS_sched_setaffinity, pid, length, mask); }

static int bits(const unsigned long* mask, long bytes)
{
    int count = 0;
    for (long i = 0; i < bytes / 8; ++i)
        count += __builtin_popcountl(mask[i]);
    return count;
}

static int count_occurrences(const char* text, const char* what)
{
    int count = 0;
    for (const char* at = text; (at = strstr(at, what)); at += strlen(what))
        ++count;
    return count;
}

// user + nice + system of /proc/stat's line for CPU `cpu`, in USER_HZ ticks; -1 if absent.
static long long cpu_busy(int cpu)
{
    static char buffer[16384];
    if (read_whole_file("/proc/stat", buffer, sizeof buffer) <= 0)
        return -1;
    char name[16];
    snprintf(name, sizeof name, "\ncpu%d ", cpu);
    const char* line = strstr(buffer, name);
    long long user, nice, system;
    if (!line || sscanf(line + strlen(name), "%lld %lld %lld", &user, &nice, &system) != 3)
        return -1;
    return user + nice + system;
}

static void spin_ms(long ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    do
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

// Pinned to each online CPU in turn: it runs there, and that CPU's time grows.
static void pin_to_each_cpu(const unsigned long* online_mask)
{
    for (int cpu = 0; cpu < 64; ++cpu) {
        if (!(online_mask[0] & (1ul << cpu)))
            continue;
        unsigned long one[128] = { 1ul << cpu };
        ok(set(0, sizeof one, one) == 0, "setaffinity to CPU %d alone (errno=%d)", cpu, errno);
        unsigned syscall_cpu = 99, node = 99;
        int vdso_cpu = sched_getcpu();
        long called = syscall(SYS_getcpu, &syscall_cpu, &node, NULL);
        ok(called == 0 && syscall_cpu == (unsigned)cpu && node == 0 && vdso_cpu == cpu,
            "then it runs on CPU %d: getcpu says %u (node %u), sched_getcpu %d", cpu, syscall_cpu, node, vdso_cpu);
        long long before = cpu_busy(cpu);
        spin_ms(300);
        long long after = cpu_busy(cpu);
        ok(before >= 0 && after - before >= 20 && sched_getcpu() == cpu,
            "300 ms spun there show in /proc/stat's cpu%d line (%lld ticks) and it is still there", cpu, after - before);
    }
}

int main(void)
{
    unsigned long mask[128] = { 0 }; // 8192 CPUs
    long size = get(0, sizeof mask, mask);
    ok(size > 0 && size % 8 == 0 && size <= (long)sizeof mask, "getaffinity returns the bytes written (%ld)", size);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    ok((mask[0] & 1) && bits(mask, size) >= 1 && bits(mask, size) <= online, "CPU 0 is set, %d CPUs of %ld online",
        bits(mask, size), online);
    errno = 0;
    ok(get(0, 7, mask) == -1 && errno == EINVAL, "a length of 7: EINVAL (errno=%d)", errno);
    errno = 0;
    ok(get(0, 0, mask) == -1 && errno == EINVAL, "a length of 0: EINVAL (errno=%d)", errno);
    errno = 0;
    ok(get(0x3fffffff, sizeof mask, mask) == -1 && errno == ESRCH, "a pid that does not exist: ESRCH (errno=%d)", errno);
    errno = 0;
    ok(get(0, sizeof mask, (void*)8) == -1 && errno == EFAULT, "a bad buffer: EFAULT (errno=%d)", errno);
    ok(get(getpid(), sizeof mask, mask) == size, "pid = getpid() is the caller too");

    static char cpuinfo[65536];
    int blocks = read_whole_file("/proc/cpuinfo", cpuinfo, sizeof cpuinfo) > 0 ? count_occurrences(cpuinfo, "processor\t:") : -1;
    ok(blocks == online && bits(mask, size) == online && cpu_busy((int)online - 1) >= 0 && cpu_busy((int)online) < 0,
        "%ld CPUs online: as many affinity bits (%d), /proc/cpuinfo blocks (%d) and /proc/stat cpuN lines", online,
        bits(mask, size), blocks);
    pin_to_each_cpu(mask);

    unsigned long cpu0[128] = { 1 };
    ok(set(0, sizeof cpu0, cpu0) == 0, "setaffinity to CPU 0 (errno=%d)", errno);
    unsigned long now[128] = { 0 };
    size = get(0, sizeof now, now);
    ok(size > 0 && now[0] == 1 && bits(now, size) == 1, "getaffinity shows exactly CPU 0");
    unsigned long none[128] = { 0 };
    errno = 0;
    ok(set(0, sizeof none, none) == -1 && errno == EINVAL, "an empty mask: EINVAL (errno=%d)", errno);
    unsigned cpu = 99, node = 99;
    ok(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu == 0 && node == 0,
        "getcpu after pinning to CPU 0: CPU 0, node 0 (%u, %u)", cpu, node);
    return tap_done();
}
