// auxv_values — every entry of the auxiliary vector a static program gets, by getauxval, as
// Linux x86_64 gives them (argv_envp_auxv checks the stack layout and AT_PHDR/AT_ENTRY):
// AT_PAGESZ 4096, AT_CLKTCK 100 (sysconf agrees), AT_BASE 0 (no interpreter), AT_FLAGS 0,
// the four ids equal to get*id(), AT_SECURE 0 (no set-id), AT_HWCAP = CPUID.1:EDX,
// AT_HWCAP2 present, AT_PLATFORM "x86_64", AT_EXECFN the path execve was given, AT_RANDOM 16
// readable bytes, AT_MINSIGSTKSZ at least one FPU image and frame, AT_SYSINFO_EHDR an ELF
// header. It runs itself again through a relative path and a symlink to check AT_EXECFN.
#include "proc_util.h"
#include "tap.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

// getauxval and whether the entry is there at all (musl and glibc set ENOENT when not).
static int present(unsigned long type, unsigned long* value)
{
    errno = 0;
    *value = getauxval(type);
    return errno != ENOENT;
}

// Runs ourselves as `path` with "execfn", which prints AT_EXECFN; returns what it printed.
static void execfn_of(const char* path, char* out, size_t size)
{
    char* const argv[] = { "auxv_values", "execfn", NULL };
    run_capturing_output(path, argv, out, size);
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "execfn") == 0) {
        printf("%s", (const char*)getauxval(AT_EXECFN));
        return 0;
    }
    tap_plan(17);
    unsigned long v;
    ok(present(AT_PAGESZ, &v) && v == 4096, "AT_PAGESZ is 4096 (%lu)", v);
    ok(present(AT_CLKTCK, &v) && v == 100 && sysconf(_SC_CLK_TCK) == 100, "AT_CLKTCK is 100, as sysconf says (%lu)", v);
    ok(present(AT_BASE, &v) && v == 0, "AT_BASE is 0 without an interpreter (%#lx)", v);
    ok(present(AT_FLAGS, &v) && v == 0, "AT_FLAGS is 0 (%lu)", v);
    unsigned long uid, euid, gid, egid;
    ok(present(AT_UID, &uid) && present(AT_EUID, &euid) && uid == getuid() && euid == geteuid(),
        "AT_UID and AT_EUID are getuid() and geteuid() (%lu %lu)", uid, euid);
    ok(present(AT_GID, &gid) && present(AT_EGID, &egid) && gid == getgid() && egid == getegid(),
        "AT_GID and AT_EGID are getgid() and getegid() (%lu %lu)", gid, egid);
    ok(present(AT_SECURE, &v) && v == 0, "AT_SECURE is 0 for a program that is not set-id (%lu)", v);
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    ok(present(AT_HWCAP, &v) && v == d, "AT_HWCAP is CPUID.1:EDX (%#lx, cpuid %#x)", v, d);
    ok(present(AT_HWCAP2, &v), "AT_HWCAP2 is there (%#lx)", v);
    ok(present(AT_PLATFORM, &v) && v && strcmp((const char*)v, "x86_64") == 0, "AT_PLATFORM is \"x86_64\"");
    ok(present(AT_RANDOM, &v) && v != 0, "AT_RANDOM points somewhere");
    const unsigned char* random = (const unsigned char*)v;
    int nonzero = 0;
    for (int i = 0; random && i < 16; ++i)
        nonzero += random[i] != 0;
    ok(nonzero > 0, "its 16 bytes are readable and not all zero (%d non-zero)", nonzero);
    ok(present(AT_MINSIGSTKSZ, &v) && v >= 512 + 256 && v <= 65536,
        "AT_MINSIGSTKSZ holds at least an FPU image and a signal context (%lu)", v);
    ok(present(AT_SYSINFO_EHDR, &v) && v && memcmp((const void*)v, "\177ELF", 4) == 0, "AT_SYSINFO_EHDR points at an ELF header");

    // AT_EXECFN is the path as execve was given it.
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char got[512];
    execfn_of(self, got, sizeof got);
    ok(strcmp(got, self) == 0, "AT_EXECFN is the absolute path execve was given (\"%s\")", got);
    char link_path[64];
    snprintf(link_path, sizeof link_path, "/tmp/auxv_values.%d", (int)getpid());
    int linked = symlink(self, link_path) == 0;
    execfn_of(link_path, got, sizeof got);
    ok(linked && strcmp(got, link_path) == 0, "through a symlink it names the symlink (\"%s\")", got);
    unlink(link_path);
    if (chdir("/proc/self") == 0) {
        execfn_of("./exe", got, sizeof got);
        ok(strcmp(got, "./exe") == 0, "a relative path stays relative, as Linux passes it (\"%s\")", got);
    } else {
        ok(0, "chdir /proc/self");
    }
    return tap_done();
}
