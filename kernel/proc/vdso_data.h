// The [vvar] page: what the vDSO (kernel/proc/vdso/) needs to tell the time in user mode, as
// the kernel publishes it (vdso.cpp). Plain C, because the vDSO is built from C for user
// mode; the kernel includes it too.
//
//   monotonic ns = (tsc - tsc_at_boot) / tsc_per_microsecond * 1000
//                + (tsc - tsc_at_boot) % tsc_per_microsecond * 1000 / tsc_per_microsecond
//   realtime ns  = realtime_seconds_at_boot * 10^9 + monotonic ns
//
// — the very arithmetic of monotonic_nanoseconds() and realtime_nanoseconds(), so the vDSO
// and the system call give the same clock. A reader copies the fields between two reads of
// `sequence` and retries if it was odd (a write in progress) or changed: a seqlock, so the
// kernel may republish (a new calibration, a settime) without a lock user mode cannot take.
#pragma once

typedef __UINT32_TYPE__ vdso_u32;
typedef __UINT64_TYPE__ vdso_u64;

// `mode`: whether the vDSO may read the TSC itself, or must make the system call.
#define VDSO_CLOCK_SYSCALL 0
#define VDSO_CLOCK_TSC 1
// The GDT selector whose segment limit is the CPU's number (kernel/arch/x86_64/gdt.h's
// CPU_NUMBER_SELECTOR; vdso.cpp checks that they agree).
#define VDSO_CPU_NUMBER_SELECTOR ((8 << 3) | 3)

struct vdso_clock_data {
    vdso_u32 sequence; // odd while the kernel writes the fields below
    vdso_u32 mode; // VDSO_CLOCK_*
    vdso_u64 tsc_at_boot;
    vdso_u64 tsc_per_microsecond; // never 0 once mode is VDSO_CLOCK_TSC
    vdso_u64 realtime_seconds_at_boot;
    vdso_u32 unused[2]; // (getcpu reads the CPU's number from its GDT: arch/x86_64/gdt.h)
};
