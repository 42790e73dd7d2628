#include "system_files.h"
#include "kernel/arch/x86_64/ap_start.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/process.h"
#include "kernel/sched/scheduler.h"

namespace {

constexpr u64 NS = 1000000000, USER_HZ = 100;

// Seconds with two decimals, as uptime and loadavg print them.
void append_hundredths(TextBuilder& out, u64 hundredths) { out.append("%lu.%02lu", hundredths / 100, hundredths % 100); }

// Linux's names for CPUID's feature bits: leaf 1 EDX and ECX, leaf 0x80000001 EDX and ECX.
struct FlagName {
    u8 bit;
    char const* name;
};
constexpr FlagName LEAF1_EDX[] = { { 0, "fpu" }, { 1, "vme" }, { 2, "de" }, { 3, "pse" }, { 4, "tsc" }, { 5, "msr" },
    { 6, "pae" }, { 7, "mce" }, { 8, "cx8" }, { 9, "apic" }, { 11, "sep" }, { 12, "mtrr" }, { 13, "pge" }, { 14, "mca" },
    { 15, "cmov" }, { 16, "pat" }, { 17, "pse36" }, { 19, "clflush" }, { 21, "dts" }, { 22, "acpi" }, { 23, "mmx" },
    { 24, "fxsr" }, { 25, "sse" }, { 26, "sse2" }, { 27, "ss" }, { 28, "ht" }, { 29, "tm" }, { 31, "pbe" } };
constexpr FlagName LEAF1_ECX[] = { { 0, "pni" }, { 1, "pclmulqdq" }, { 3, "monitor" }, { 5, "vmx" }, { 9, "ssse3" },
    { 12, "fma" }, { 13, "cx16" }, { 17, "pcid" }, { 19, "sse4_1" }, { 20, "sse4_2" }, { 21, "x2apic" }, { 22, "movbe" },
    { 23, "popcnt" }, { 24, "tsc_deadline_timer" }, { 25, "aes" }, { 26, "xsave" }, { 28, "avx" }, { 29, "f16c" },
    { 30, "rdrand" }, { 31, "hypervisor" } };
constexpr FlagName EXTENDED_EDX[] = { { 11, "syscall" }, { 20, "nx" }, { 26, "pdpe1gb" }, { 27, "rdtscp" }, { 29, "lm" } };
constexpr FlagName EXTENDED_ECX[] = { { 0, "lahf_lm" }, { 5, "abm" }, { 6, "sse4a" }, { 8, "3dnowprefetch" } };

template<usize N> void append_flags(TextBuilder& out, FlagName const (&names)[N], u32 bits)
{
    for (FlagName const& flag : names)
        if (bits & (1u << flag.bit))
            out.append(" %s", flag.name);
}

}

void fill_uptime(TextBuilder& out, Process&)
{
    append_hundredths(out, monotonic_nanoseconds() / (NS / 100));
    out.append(" ");
    append_hundredths(out, scheduler_stats().idle_ns / (NS / 100));
    out.append("\n");
}

void fill_loadavg(TextBuilder& out, Process&)
{
    SchedulerStats stats = scheduler_stats();
    for (u64 load : stats.load) {
        append_hundredths(out, (load * 100 + 1024) >> 11); // Linux's fixed point, rounded
        out.append(" ");
    }
    usize threads = 0;
    for_each_process([&](Process& process) { threads += process.thread_count(); });
    out.append("%u/%zu %u\n", stats.runnable, threads, last_task_id());
}

void fill_system_stat(TextBuilder& out, Process&)
{
    // user nice system idle iowait irq softirq steal guest guest_nice, in 1/100 s: nothing
    // runs niced; time waiting for the disk is idle time; interrupts count as system time.
    // Measured as the threads' CPU times are (the clock at each switch), so that the line
    // and a process's own times agree even when timer ticks come late; the ticks only say
    // how the busy time divides into user and system.
    SchedulerStats stats = scheduler_stats();
    u64 uptime_ns = monotonic_nanoseconds();
    u64 line[MAX_CPUS + 1][3] = {}; // user, system, idle of each CPU; the last: their sum
    for (u32 i = 0; i < stats.cpu_count; ++i) {
        CpuStats const& cpu = stats.cpus[i];
        u64 idle_ns = min(cpu.idle_ns, uptime_ns), busy_ns = uptime_ns - idle_ns;
        u64 ticks = cpu.user_ticks + cpu.system_ticks;
        u64 system_ns = ticks ? static_cast<u64>(static_cast<unsigned __int128>(busy_ns) * cpu.system_ticks / ticks) : 0;
        u64 values[3] = { (busy_ns - system_ns) / (NS / USER_HZ), system_ns / (NS / USER_HZ), idle_ns / (NS / USER_HZ) };
        for (int k = 0; k < 3; ++k)
            line[i][k] = values[k], line[MAX_CPUS][k] += values[k];
    }
    out.append("cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", line[MAX_CPUS][0], line[MAX_CPUS][1], line[MAX_CPUS][2]);
    for (u32 i = 0; i < stats.cpu_count; ++i)
        out.append("cpu%u %lu 0 %lu %lu 0 0 0 0 0 0\n", i, line[i][0], line[i][1], line[i][2]);
    u64 boot_seconds = (realtime_nanoseconds() - monotonic_nanoseconds()) / NS;
    out.append("ctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %u\nprocs_blocked %u\n", stats.context_switches, boot_seconds,
        tasks_created(), stats.runnable, stats.uninterruptible);
}

void fill_cpuinfo(TextBuilder& out, Process&)
{
    u32 a, b, c, d;
    cpu::cpuid(0, 0, a, b, c, d);
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    u32 max_extended, unused;
    cpu::cpuid(0x80000000, 0, max_extended, unused, unused, unused);
    char model_name[49] = "unknown";
    if (max_extended >= 0x80000004) {
        u32 words[12];
        for (u32 i = 0; i < 3; ++i)
            cpu::cpuid(0x80000002 + i, 0, words[i * 4], words[i * 4 + 1], words[i * 4 + 2], words[i * 4 + 3]);
        memcpy(model_name, words, 48);
        model_name[48] = '\0';
    }
    u32 signature, features_ecx, features_edx;
    cpu::cpuid(1, 0, signature, unused, features_ecx, features_edx);
    u32 family = (signature >> 8) & 0xf, model = (signature >> 4) & 0xf;
    if (family == 0xf)
        family += (signature >> 20) & 0xff;
    if (family >= 6)
        model += ((signature >> 16) & 0xf) << 4;
    u64 khz = tsc_frequency_hz() / 1000;
    u32 extended_ecx = 0, extended_edx = 0;
    if (max_extended >= 0x80000001)
        cpu::cpuid(0x80000001, 0, unused, unused, extended_ecx, extended_edx);
    // One block per CPU, as Linux: QEMU's virtual CPUs are identical, one core each of one
    // package, so the CPUID read here describes them all.
    u32 cpus = static_cast<u32>(cpus_online());
    for (u32 i = 0; i < cpus; ++i) {
        out.append("processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n", i,
            vendor, family, model, model_name, signature & 0xf);
        out.append("cpu MHz\t\t: %lu.%03lu\nphysical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\n",
            khz / 1000, khz % 1000, cpus, i, cpus, per_cpu(i).apic_id);
        out.append("flags\t\t:");
        append_flags(out, LEAF1_EDX, features_edx);
        append_flags(out, LEAF1_ECX, features_ecx);
        append_flags(out, EXTENDED_EDX, extended_edx);
        append_flags(out, EXTENDED_ECX, extended_ecx);
        out.append("\n\n");
    }
}

void fill_mounts(TextBuilder& out, Process&)
{
    vfs_for_each_mount([&](char const* where, MountInfo const& info) {
        out.append("%s /%s %s %s%s%s%s%s 0 0\n", info.source, where, info.type, info.read_only ? "ro" : "rw",
            (info.options & MOUNT_NOSUID) ? ",nosuid" : "", (info.options & MOUNT_NODEV) ? ",nodev" : "",
            (info.options & MOUNT_NOEXEC) ? ",noexec" : "", (info.options & MOUNT_NOATIME) ? ",noatime" : ",relatime");
    });
}

// /proc/filesystems: the types mount(2) accepts, "nodev" for those that need no device.
void fill_filesystems(TextBuilder& out, Process&) { out.append("nodev\ttmpfs\nnodev\tproc\n\text2\n"); }

// /proc/partitions: the disks, as lsblk and fdisk -l read it. Each virtio disk is whole
// (Pagoda reads no partition tables), with Linux's virtio-blk major 254 and minors 16 apart;
// sizes in 1 KiB blocks.
void fill_partitions(TextBuilder& out, Process&)
{
    constexpr u32 VIRTIO_BLOCK_MAJOR = 254;
    out.append("major minor  #blocks  name\n\n");
    for (usize i = 0; i < virtio_blk_count(); ++i)
        out.append("%4u %7zu %10lu vd%c\n", VIRTIO_BLOCK_MAJOR, i * 16, virtio_blk_device(i)->size_bytes() / 1024,
            static_cast<char>('a' + i));
}
