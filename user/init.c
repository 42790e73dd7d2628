/* The default /init: what a newcomer sees when Pagoda boots with tools/boot. It greets,
 * shows the machine's memory as the kernel counts it, demonstrates demand paging with the
 * kernel's own counters and runs the demos, then gives the console to a login shell. When
 * the shell ends, or `poweroff` asks (busybox's poweroff, halt and reboot signal process 1:
 * SIGUSR2, SIGUSR1, SIGTERM), it ends every other process, syncs and exits — and the kernel
 * powers off when init ends, writing every file system back. The shell is root's in
 * /etc/passwd (busybox sh in the default root, bash in tools/mkroot's Debian one).
 *   /init [--no-demos] [--no-shell] */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demos/vmstat_field.h"

/* The counters this demo shows, read from /proc/vmstat in one go. */
struct counters {
    long frames_total, frames_free, zero_fill_read, zero_fill_write;
};


/* Uses only read() into a static buffer, so taking a snapshot itself causes no page faults
 * once it has run once. */
static void snapshot(struct counters *out)
{
    static char text[8192];
    int fd = open("/proc/vmstat", O_RDONLY);
    ssize_t n = fd < 0 ? 0 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    out->frames_total = vmstat_field(text, "frames_total");
    out->frames_free = vmstat_field(text, "frames_free");
    out->zero_fill_read = vmstat_field(text, "zero_fill_read");
    out->zero_fill_write = vmstat_field(text, "zero_fill_write");
}

// Runs `path` with `argument` (may be null) and waits for it.
static void run(const char *path, const char *argument)
{
    printf("\n==================== %s %s ====================\n\n", path, argument ? argument : "");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = { (char *)path, (char *)argument, NULL };
        char *envp[] = { "HOME=/", NULL };
        execve(path, argv, envp);
        perror(path);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("(%s ended with status %#x)\n", path, status);
}

// The demos that exist in /bin: copy-on-write fork, vfork, and — when a disk is mounted at
// /mnt (tools/boot attaches a scratch one) — memory-mapped files.
static void run_demos(void)
{
    struct stat s;
    if (stat("/bin/cowdemo", &s) == 0)
        run("/bin/cowdemo", NULL);
    if (stat("/bin/vforkdemo", &s) == 0)
        run("/bin/vforkdemo", NULL);
    if (stat("/bin/mmapdemo", &s) == 0 && stat("/mnt/lost+found", &s) == 0)
        run("/bin/mmapdemo", "/mnt");
}

/* Demand paging, watched through the kernel's counters. */
static void show_demand_paging(void)
{
    struct counters start, mapped, read_done, written, unmapped;
    enum { PAGES = 16 };
    snapshot(&start);
    volatile char *memory = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("mmap");
        return;
    }
    snapshot(&mapped);
    for (int i = 0; i < PAGES; ++i)
        (void)memory[i * 4096];
    snapshot(&read_done);
    for (int i = 0; i < PAGES; ++i)
        memory[i * 4096] = 1;
    snapshot(&written);
    munmap((void *)memory, PAGES * 4096);
    snapshot(&unmapped);

    printf("\nDemand paging of a %d-page anonymous mapping:\n", PAGES);
    printf("  mmap:              %ld frames taken (nothing is allocated until touched)\n",
        start.frames_free - mapped.frames_free);
    printf("  read every page:   %ld zero-fill read faults, %ld frames taken (all map the one zero frame;\n"
           "                     a frame here is a new page-table page)\n",
        read_done.zero_fill_read - mapped.zero_fill_read, mapped.frames_free - read_done.frames_free);
    printf("  write every page:  %ld zero-fill write faults, %ld frames taken (one fresh frame each)\n",
        written.zero_fill_write - read_done.zero_fill_write, read_done.frames_free - written.frames_free);
    printf("  munmap:            %ld frames given back\n", unmapped.frames_free - written.frames_free);
}

/* Set by the signals busybox's poweroff, halt and reboot send to process 1. */
static volatile sig_atomic_t shutdown_signal;

static void note_shutdown(int signal_number) { shutdown_signal = signal_number; }

/* root's shell from /etc/passwd, as login takes it (/bin/sh if the file does not say). */
static void root_shell(char *path, size_t capacity)
{
    snprintf(path, capacity, "/bin/sh");
    FILE *passwd = fopen("/etc/passwd", "r");
    if (!passwd)
        return;
    char line[512];
    while (fgets(line, sizeof line, passwd)) {
        if (strncmp(line, "root:", 5) != 0)
            continue;
        char *shell = strrchr(line, ':');
        shell[strcspn(shell, "\n")] = '\0';
        if (shell[1] == '/')
            snprintf(path, capacity, "%s", shell + 1);
        break;
    }
    fclose(passwd);
}

/* The login shell: a session of its own whose controlling terminal is the console (taken
 * from init's session: TIOCSCTTY with 1 steals it, as root may), in /root, reading
 * /etc/profile because its name starts with '-'. */
static pid_t start_login_shell(void)
{
    pid_t child = fork();
    if (child != 0)
        return child;
    setsid();
    if (ioctl(0, TIOCSCTTY, 1) < 0)
        perror("init: TIOCSCTTY");
    chdir("/root");
    const char *term = getenv("TERM");
    char term_variable[64];
    snprintf(term_variable, sizeof term_variable, "TERM=%s", term ? term : "linux");
    char shell[256], login_name[260], shell_variable[270];
    root_shell(shell, sizeof shell);
    snprintf(login_name, sizeof login_name, "-%s", strrchr(shell, '/') + 1);
    snprintf(shell_variable, sizeof shell_variable, "SHELL=%s", shell);
    char *argv[] = { login_name, NULL };
    char *envp[] = { "HOME=/root", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", shell_variable, "USER=root",
        "LOGNAME=root", term_variable, NULL };
    execve(shell, argv, envp);
    perror(shell);
    _exit(127);
}

/* Reaps every child (init is every orphan's parent) until `shell` ends or a shutdown signal
 * arrives. */
static void wait_for_shell(pid_t shell)
{
    while (!shutdown_signal) {
        int status;
        pid_t done = wait(&status);
        if (done == shell)
            return;
        if (done < 0 && errno == ECHILD)
            return;
    }
}

/* What a shutdown does before the kernel's: SIGTERM to every process, a second for them to
 * finish, SIGKILL to what is left, every zombie reaped, and the file systems synced. */
static void end_every_process(void)
{
    kill(-1, SIGTERM);
    for (int tries = 0; tries < 10; ++tries) {
        while (waitpid(-1, NULL, WNOHANG) > 0) { }
        if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
            break;
        struct timespec tenth = { 0, 100 * 1000 * 1000 };
        nanosleep(&tenth, NULL);
    }
    kill(-1, SIGKILL);
    while (wait(NULL) > 0) { }
    sync();
}

static void print_file(const char *path)
{
    char text[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n;
    while ((n = read(fd, text, sizeof text)) > 0)
        fwrite(text, 1, (size_t)n, stdout);
    close(fd);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int demos = 1, shell = 1;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--no-demos") == 0)
            demos = 0;
        else if (strcmp(argv[i], "--no-shell") == 0)
            shell = 0;
        else
            fprintf(stderr, "init: unknown option %s (wants --no-demos, --no-shell)\n", argv[i]);
    }
    struct sigaction on_shutdown = { .sa_handler = note_shutdown };
    sigaction(SIGUSR1, &on_shutdown, NULL);
    sigaction(SIGUSR2, &on_shutdown, NULL);
    sigaction(SIGTERM, &on_shutdown, NULL);

    struct utsname name;
    uname(&name);
    printf("Welcome to %s %s (%s).\n", name.sysname, name.release, name.machine);
    struct counters now;
    snapshot(&now);
    printf("Memory: %ld frames of 4 KiB (%ld MiB), %ld free (%ld MiB).\n", now.frames_total,
        now.frames_total / 256, now.frames_free, now.frames_free / 256);
    if (demos) {
        show_demand_paging();
        run_demos();
    }
    char login_shell[256];
    root_shell(login_shell, sizeof login_shell);
    struct stat s;
    if (!shell || stat(login_shell, &s) != 0) {
        printf("\nAll done: powering off (the kernel shuts down when /init exits).\n");
        return 0;
    }
    print_file("/etc/motd");
    wait_for_shell(start_login_shell());
    if (shutdown_signal == SIGTERM)
        printf("\nPagoda does not reboot: powering off instead.\n");
    end_every_process();
    printf("\nPowering off (the kernel writes every file system back when /init exits).\n");
    return 0;
}
