// The vDSO: a small shared object the kernel maps into every process ([vdso], with its
// data page [vvar] just below), so that the C library tells the time without a system call.
// Built at build time with -fPIC -nostdlib -shared and vdso.lds, embedded in the kernel
// (vdso_image.S) and mapped by kernel/proc/vdso.cpp; AT_SYSINFO_EHDR points at its ELF
// header, where musl and glibc look up these symbols with version LINUX_2.6.
//
// Runs in user mode: no kernel code or data is reachable from here, only the [vvar] page.
#include "../vdso_data.h"

// Placed by vdso.lds one page below the image: the [vvar] mapping.
extern struct vdso_clock_data const vdso_clock __attribute__((visibility("hidden")));

struct vdso_timespec {
    long tv_sec;
    long tv_nsec;
};
struct vdso_timeval {
    long tv_sec;
    long tv_usec;
};
struct vdso_timezone {
    int tz_minuteswest;
    int tz_dsttime;
};

enum {
    SYS_gettimeofday = 96,
    SYS_time = 201,
    SYS_clock_gettime = 228,
    SYS_getcpu = 309,
};
enum {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7,
};
#define NS_PER_SECOND 1000000000ull

static long system_call2(long number, long a, long b)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return result;
}

static vdso_u64 read_tsc(void)
{
    vdso_u32 low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((vdso_u64)high << 32) | low;
}

// The page may change under us only through the kernel's seqlock writes.
static vdso_u32 read_sequence(void)
{
    vdso_u32 sequence = *(vdso_u32 const volatile*)&vdso_clock.sequence;
    __asm__ volatile("" ::: "memory");
    return sequence;
}

// Nanoseconds of CLOCK_MONOTONIC, and of CLOCK_REALTIME when `realtime`; 0 when the kernel
// says the TSC is not for user mode (the caller then makes the system call).
static int read_clock(int realtime, vdso_u64* out)
{
    vdso_u32 sequence;
    vdso_u64 nanoseconds;
    do {
        sequence = read_sequence();
        if (sequence & 1)
            continue;
        if (vdso_clock.mode != VDSO_CLOCK_TSC)
            return 0;
        vdso_u64 ticks = read_tsc() - vdso_clock.tsc_at_boot;
        vdso_u64 rate = vdso_clock.tsc_per_microsecond;
        nanoseconds = ticks / rate * 1000 + ticks % rate * 1000 / rate;
        if (realtime)
            nanoseconds += vdso_clock.realtime_seconds_at_boot * NS_PER_SECOND;
        __asm__ volatile("" ::: "memory");
    } while ((sequence & 1) || read_sequence() != sequence);
    *out = nanoseconds;
    return 1;
}

int __vdso_clock_gettime(int clock, struct vdso_timespec* ts)
{
    int realtime;
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        realtime = 1;
        break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        realtime = 0;
        break;
    default: // CPU-time clocks, clocks of other processes, bad ids: the kernel decides
        return (int)system_call2(SYS_clock_gettime, clock, (long)ts);
    }
    vdso_u64 now;
    if (!read_clock(realtime, &now))
        return (int)system_call2(SYS_clock_gettime, clock, (long)ts);
    ts->tv_sec = (long)(now / NS_PER_SECOND);
    ts->tv_nsec = (long)(now % NS_PER_SECOND);
    return 0;
}

int __vdso_gettimeofday(struct vdso_timeval* tv, struct vdso_timezone* tz)
{
    vdso_u64 now;
    if (!read_clock(1, &now))
        return (int)system_call2(SYS_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        tv->tv_sec = (long)(now / NS_PER_SECOND);
        tv->tv_usec = (long)(now % NS_PER_SECOND / 1000);
    }
    if (tz) { // UTC: the kernel keeps no time zone
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

long __vdso_time(long* t)
{
    vdso_u64 now;
    if (!read_clock(1, &now))
        return system_call2(SYS_time, (long)t, 0);
    long seconds = (long)(now / NS_PER_SECOND);
    if (t)
        *t = seconds;
    return seconds;
}

// Each CPU's GDT has a descriptor whose limit is (node << 12) | cpu (kernel/arch/x86_64/
// gdt.h, CPU_NUMBER_SELECTOR): `lsl` reads it in user mode, on whichever CPU we run.
int __vdso_getcpu(unsigned* cpu, unsigned* node, void* unused)
{
    (void)unused;
    unsigned limit;
    __asm__("lsl %1, %0" : "=r"(limit) : "r"(VDSO_CPU_NUMBER_SELECTOR));
    if (cpu)
        *cpu = limit & 0xfff;
    if (node)
        *node = limit >> 12;
    return 0;
}

// The unprefixed names Linux's vDSO exports too, as weak aliases.
int clock_gettime(int, struct vdso_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval*, struct vdso_timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
