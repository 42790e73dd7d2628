// proc_system_files — the whole system's /proc files in Linux's formats, with numbers that
// move as they should: /proc/uptime grows with time; /proc/stat's cpu line grows by at
// least the CPU time this test spins and has ctxt, btime (boot = now - uptime),
// processes, procs_running; /proc/loadavg has three averages and running/total with this
// thread running; /proc/cpuinfo names the processor, vendor and flags; /proc/mounts and
// /proc/self/mounts list the root and /proc (type proc) alike; statfs of /proc says proc
// and counts no blocks (so df leaves it out); /proc/partitions has Linux's header and a
// line "major minor #blocks name" per disk; /proc/sys/kernel/pid_max and tainted read as
// numbers.
#include "proc_util.h"
#include "tap.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/vfs.h>
#include <time.h>

static char buffer[65536], other[65536];

static double uptime(void)
{
    if (read_whole_file("/proc/uptime", buffer, sizeof buffer) <= 0)
        return -1;
    return atof(buffer);
}

// user + nice + system of /proc/stat's "cpu" line, in USER_HZ ticks; -1 if unreadable.
static long long cpu_busy(void)
{
    if (read_whole_file("/proc/stat", buffer, sizeof buffer) <= 0 || strncmp(buffer, "cpu ", 4) != 0)
        return -1;
    long long user, nice, system, idle;
    if (sscanf(buffer + 4, "%lld %lld %lld %lld", &user, &nice, &system, &idle) != 4)
        return -1;
    return user + nice + system;
}

static long long stat_field(const char* name)
{
    if (read_whole_file("/proc/stat", buffer, sizeof buffer) <= 0)
        return -1;
    char key[64];
    snprintf(key, sizeof key, "\n%s ", name);
    char* at = strstr(buffer, key);
    return at ? atoll(at + strlen(key)) : -1;
}

static void spin_cpu_ms(long ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    volatile unsigned long sink = 0;
    do {
        for (int i = 0; i < 100000; ++i)
            sink += (unsigned long)i;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

int main(void)
{
    tap_plan(11);
    double up0 = uptime();
    struct timespec pause = { 0, 200 * 1000000 };
    nanosleep(&pause, NULL);
    double up1 = uptime();
    ok(up0 > 0 && up1 - up0 >= 0.15 && up1 - up0 < 5, "/proc/uptime grows with time (%.2f -> %.2f)", up0, up1);

    long long busy0 = cpu_busy();
    spin_cpu_ms(300);
    long long busy1 = cpu_busy();
    ok(busy0 >= 0 && busy1 - busy0 >= 20, "/proc/stat's cpu line grows by the 300 ms spun (%lld ticks)", busy1 - busy0);

    long long btime = stat_field("btime"), now = (long long)time(NULL);
    long long ctxt = stat_field("ctxt"), processes = stat_field("processes"), running = stat_field("procs_running");
    ok(btime > 0 && llabs(now - (long long)up1 - btime) <= 5, "btime is now minus uptime (%lld vs %lld)", btime, now - (long long)up1);
    ok(ctxt > 0 && processes > 0 && running >= 1, "ctxt %lld, processes %lld, procs_running %lld", ctxt, processes, running);

    double load[3];
    int run = 0, total = 0, last = 0;
    int fields = read_whole_file("/proc/loadavg", buffer, sizeof buffer) > 0
        ? sscanf(buffer, "%lf %lf %lf %d/%d %d", &load[0], &load[1], &load[2], &run, &total, &last)
        : 0;
    ok(fields == 6 && load[0] >= 0 && run >= 1 && total >= run && last > 0, "/proc/loadavg: %.2f %.2f %.2f %d/%d %d", load[0],
        load[1], load[2], run, total, last);

    int cpuinfo = read_whole_file("/proc/cpuinfo", buffer, sizeof buffer) > 0;
    ok(cpuinfo && strstr(buffer, "processor\t: 0") && strstr(buffer, "vendor_id\t: ") && strstr(buffer, "\nflags\t\t: "),
        "/proc/cpuinfo names processor 0, its vendor and its flags");

    int mounts = read_whole_file("/proc/mounts", buffer, sizeof buffer) > 0;
    ok(mounts && strstr(buffer, " / ") && strstr(buffer, " /proc proc "),
        "/proc/mounts lists the root and /proc (type proc)");
    int self = read_whole_file("/proc/self/mounts", other, sizeof other) > 0;
    ok(self && strcmp(buffer, other) == 0, "/proc/self/mounts says the same");
    int disks = 0, well_formed = read_whole_file("/proc/partitions", buffer, sizeof buffer) > 0
        && strncmp(buffer, "major minor  #blocks  name\n\n", 28) == 0;
    for (char* line = strchr(buffer, '\n') ? strchr(buffer, '\n') + 2 : NULL; well_formed && line && *line;) {
        unsigned major, minor;
        unsigned long long blocks;
        char name[64];
        well_formed = sscanf(line, "%u %u %llu %63s", &major, &minor, &blocks, name) == 4 && blocks > 0;
        disks += well_formed;
        line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
    }
    ok(well_formed && disks > 0, "/proc/partitions: the header and %d disk lines", disks);
    struct statfs proc_fs;
    int r = statfs("/proc", &proc_fs);
    ok(r == 0 && proc_fs.f_type == 0x9fa0 && proc_fs.f_blocks == 0,
        "statfs(/proc): PROC_SUPER_MAGIC, no blocks (r=%d errno=%d type %#lx blocks %lu)", r, errno, (long)proc_fs.f_type,
        (unsigned long)proc_fs.f_blocks);
    long pid_max = read_whole_file("/proc/sys/kernel/pid_max", buffer, sizeof buffer) > 0 ? atol(buffer) : -1;
    int tainted = read_whole_file("/proc/sys/kernel/tainted", other, sizeof other) > 0 && other[0] >= '0' && other[0] <= '9';
    ok(pid_max >= 32768 && pid_max > getpid() && tainted, "/proc/sys/kernel/pid_max (%ld) is above our pid; tainted is a number",
        pid_max);
    return tap_done();
}
