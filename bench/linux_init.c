// linux_init — /init of the initramfs with which tools/bench boots Debian's Linux kernel to
// run vmbench under the same QEMU settings as Pagoda (docs/benchmarks.md). Static (musl).
//
//   1. mounts proc, sysfs and devtmpfs, and points stdin/stdout/stderr at /dev/ttyS0 (the
//      first serial port, as on Pagoda: the kernel's own log goes to console=ttyS1);
//   2. loads the modules listed in /modules.order (one path a line, dependencies first) with
//      finit_module — the cloud kernel has virtio-pci and virtio-blk as modules;
//   3. waits for the disk ($benchdisk, default /dev/vdb) and mounts it at /mnt as ext2
//      (the ext4 driver serves ext2 when CONFIG_EXT2_FS is not set), else ext4;
//   4. prints each file of /sys/devices/system/cpu/vulnerabilities as a line
//      "[linux_init] vulnerability NAME: STATE" (what this boot mitigates; tools/bench puts
//      it in the report);
//   5. runs /vmbench — or the program $benchprog names, e.g. benchprog=/scalebench — with this
//      program's arguments (and BENCH_INIT_BOOTTIME_NS: CLOCK_BOOTTIME when this /init
//      started, vmbench's boot_to_init) (the words after "--" on the kernel command line),
//      e.g. /vmbench /mnt --quick;
//   6. prints "[linux_init] vmbench exited: status N" (the program's name), syncs, unmounts
//      and powers off.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "[linux_init] ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
}

static void power_off(void) {
    sync();
    umount("/mnt");
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

static void console(void) {
    int fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
    if (fd < 0) fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0) return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2) close(fd);
}

static void load_modules(void) {
    FILE *list = fopen("/modules.order", "r");
    if (!list) return;
    char line[512];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        int fd = open(line, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            say("cannot open module %s: %s", line, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
            say("finit_module %s: %s", line, strerror(errno));
        close(fd);
    }
    fclose(list);
}

// The kernel's view of the CPU's speculative-execution bugs and what it does about each, on
// stdout (the first serial port, where tools/bench reads it) in name order.
static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_vulnerabilities(void) {
    const char *folder = "/sys/devices/system/cpu/vulnerabilities";
    DIR *d = opendir(folder);
    if (!d) {
        say("cannot list %s: %s", folder, strerror(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], compare_names);
    for (int i = 0; i < n; i++) {
        char path[512], state[256] = "";
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            if (!fgets(state, sizeof state, f)) state[0] = 0;
            fclose(f);
        }
        state[strcspn(state, "\n")] = 0;
        printf("[linux_init] vulnerability %s: %s\n", names[i], state);
        free(names[i]);
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    // When /init started, for vmbench's boot_to_init (on Pagoda vmbench is /init itself).
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    char boot_env[64];
    snprintf(boot_env, sizeof boot_env, "BENCH_INIT_BOOTTIME_NS=%llu",
             (unsigned long long)boot.tv_sec * 1000000000ULL + (unsigned long long)boot.tv_nsec);
    mkdir("/proc", 0755);
    mkdir("/sys", 0755);
    mkdir("/dev", 0755);
    mkdir("/mnt", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    console();
    load_modules();

    const char *disk = getenv("benchdisk");
    if (!disk) disk = "/dev/vdb";
    struct stat st;
    for (int i = 0; i < 500 && stat(disk, &st) < 0; i++) { // up to 5 s for the probe
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (mount(disk, "/mnt", "ext2", 0, NULL) < 0 && mount(disk, "/mnt", "ext4", 0, NULL) < 0)
        say("cannot mount %s at /mnt: %s", disk, strerror(errno));

    list_vulnerabilities();

    char *program = getenv("benchprog");
    if (!program) program = "/vmbench";
    char *args[64];
    int n = 0;
    args[n++] = program;
    for (int i = 1; i < argc && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    char *envp[] = {"PATH=/", boot_env, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execve(program, args, envp);
        say("cannot run %s: %s", program, strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    char text[32];
    if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "signal %d", WTERMSIG(status));
    else
        snprintf(text, sizeof text, "status %d", WEXITSTATUS(status));
    const char *name = strrchr(program, '/');
    say("%s exited: %s", name ? name + 1 : program, text);
    power_off();
    return 0;
}
