// vdso — the vDSO the kernel maps into every process: AT_SYSINFO_EHDR points at a valid ELF
// shared object (PT_LOAD, PT_DYNAMIC, a dynamic symbol table and version tables) that
// exports __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time and __vdso_getcpu at
// version LINUX_2.6, the way the C libraries look them up; /proc/self/maps names it [vdso]
// with [vvar] beside it; calling it agrees with the system calls, never goes backwards, and
// hands the clocks it does not serve to the kernel. The mechanism: on Pagoda, whose
// /proc/self/status counts system calls ("Syscalls:", a Pagoda-only line), a thousand vDSO
// calls add none while a thousand system calls add a thousand (skipped on Linux, which has
// no such count). The data page may not be written: mprotect to writable is EACCES, and a
// store is SIGSEGV. A fork child has the same vDSO.
#define _GNU_SOURCE
#include "tap.h"

#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec*);
typedef int (*gettimeofday_fn)(struct timeval*, void*);
typedef time_t (*time_fn)(time_t*);
typedef int (*getcpu_fn)(unsigned*, unsigned*, void*);

struct vdso {
    uintptr_t base; // load bias: address of the image minus the first PT_LOAD's vaddr
    const Elf64_Sym* symbols;
    const char* strings;
    const Elf64_Half* versions;
    const Elf64_Verdef* definitions;
    unsigned symbol_count;
    int has_load, has_dynamic;
};

// Walks the image's program headers and dynamic section as a dynamic loader would.
static int parse_vdso(uintptr_t image, struct vdso* v)
{
    memset(v, 0, sizeof *v);
    const Elf64_Ehdr* header = (const Elf64_Ehdr*)image;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_type != ET_DYN || header->e_machine != EM_X86_64)
        return -1;
    const Elf64_Phdr* phdrs = (const Elf64_Phdr*)(image + header->e_phoff);
    const Elf64_Dyn* dynamic = NULL;
    for (int i = 0; i < header->e_phnum; ++i) {
        if (phdrs[i].p_type == PT_LOAD && !v->has_load) {
            v->has_load = 1;
            v->base = image + phdrs[i].p_offset - phdrs[i].p_vaddr;
        }
        if (phdrs[i].p_type == PT_DYNAMIC) {
            v->has_dynamic = 1;
            dynamic = (const Elf64_Dyn*)(image + phdrs[i].p_offset);
        }
    }
    if (!v->has_load || !dynamic)
        return -1;
    const Elf32_Word* hash = NULL;
    for (const Elf64_Dyn* d = dynamic; d->d_tag != DT_NULL; ++d) {
        uintptr_t address = v->base + d->d_un.d_ptr;
        switch (d->d_tag) {
        case DT_SYMTAB: v->symbols = (const Elf64_Sym*)address; break;
        case DT_STRTAB: v->strings = (const char*)address; break;
        case DT_HASH: hash = (const Elf32_Word*)address; break;
        case DT_VERSYM: v->versions = (const Elf64_Half*)address; break;
        case DT_VERDEF: v->definitions = (const Elf64_Verdef*)address; break;
        }
    }
    if (!v->symbols || !v->strings || !hash)
        return -1;
    v->symbol_count = hash[1]; // nchain: one per symbol (musl counts them so too)
    return 0;
}

// The name of version index `index` in the version definitions.
static const char* version_name(const struct vdso* v, unsigned index)
{
    const Elf64_Verdef* d = v->definitions;
    while (d) {
        if ((d->vd_ndx & 0x7fff) == index) {
            const Elf64_Verdaux* aux = (const Elf64_Verdaux*)((const char*)d + d->vd_aux);
            return v->strings + aux->vda_name;
        }
        if (!d->vd_next)
            break;
        d = (const Elf64_Verdef*)((const char*)d + d->vd_next);
    }
    return NULL;
}

// A defined function `name` at version `version`, or NULL.
static void* lookup(const struct vdso* v, const char* name, const char* version)
{
    for (unsigned i = 1; i < v->symbol_count; ++i) {
        const Elf64_Sym* s = &v->symbols[i];
        if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC || strcmp(v->strings + s->st_name, name) != 0)
            continue;
        if (v->versions && v->definitions) {
            const char* defined = version_name(v, v->versions[i] & 0x7fff);
            if (!defined || strcmp(defined, version) != 0)
                continue;
        }
        return (void*)(v->base + s->st_value);
    }
    return NULL;
}

// The Syscalls: count of /proc/self/status, or -1 where there is none (Linux).
static long system_call_count(void)
{
    FILE* file = fopen("/proc/self/status", "r");
    if (!file)
        return -1;
    char line[256];
    long count = -1;
    while (fgets(line, sizeof line, file))
        if (sscanf(line, "Syscalls: %ld", &count) == 1)
            break;
    fclose(file);
    return count;
}

static long long nanoseconds(struct timespec t) { return (long long)t.tv_sec * 1000000000 + t.tv_nsec; }

// Finds the maps lines named [vdso] and [vvar] (Linux 6.13+ also has [vvar_vclock]).
static void find_maps(unsigned long* vdso_start, unsigned long* vvar_start)
{
    *vdso_start = *vvar_start = 0;
    FILE* maps = fopen("/proc/self/maps", "r");
    char line[512];
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx", &start, &end) != 2)
            continue;
        if (strstr(line, "[vdso]"))
            *vdso_start = start;
        else if (strstr(line, "[vvar]"))
            *vvar_start = start;
    }
    if (maps)
        fclose(maps);
}

int main(void)
{
    tap_plan(23);
    unsigned long image = getauxval(AT_SYSINFO_EHDR);
    ok(image != 0 && image % 4096 == 0, "AT_SYSINFO_EHDR is a page address (%#lx)", image);
    if (!image)
        bail("no vDSO");
    struct vdso v;
    ok(parse_vdso(image, &v) == 0 && v.has_dynamic,
        "it is an x86_64 ET_DYN ELF with PT_LOAD, PT_DYNAMIC, DT_SYMTAB, DT_STRTAB and DT_HASH");
    ok(v.versions && v.definitions, "it has version tables (DT_VERSYM, DT_VERDEF)");
    clock_gettime_fn vdso_clock_gettime = (clock_gettime_fn)lookup(&v, "__vdso_clock_gettime", "LINUX_2.6");
    gettimeofday_fn vdso_gettimeofday = (gettimeofday_fn)lookup(&v, "__vdso_gettimeofday", "LINUX_2.6");
    time_fn vdso_time = (time_fn)lookup(&v, "__vdso_time", "LINUX_2.6");
    getcpu_fn vdso_getcpu = (getcpu_fn)lookup(&v, "__vdso_getcpu", "LINUX_2.6");
    ok(vdso_clock_gettime && vdso_gettimeofday && vdso_time && vdso_getcpu,
        "it exports __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time and __vdso_getcpu at LINUX_2.6");
    ok(lookup(&v, "__vdso_clock_gettime", "LINUX_2.5") == NULL, "a lookup at another version finds nothing");
    if (!vdso_clock_gettime || !vdso_gettimeofday || !vdso_time || !vdso_getcpu)
        bail("symbols missing");

    unsigned long vdso_start, vvar_start;
    find_maps(&vdso_start, &vvar_start);
    ok(vdso_start == image, "/proc/self/maps names the mapping at AT_SYSINFO_EHDR [vdso] (%#lx)", vdso_start);
    ok(vvar_start != 0, "and shows its data page as [vvar] (%#lx)", vvar_start);

    // The same clocks as the system calls: each syscall reading lies between two vDSO ones.
    static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
    static const char* const clock_names[] = { "CLOCK_MONOTONIC", "CLOCK_REALTIME", "CLOCK_BOOTTIME" };
    for (int c = 0; c < 3; ++c) {
        struct timespec before, kernel, after;
        int r1 = vdso_clock_gettime(clocks[c], &before);
        long r2 = syscall(SYS_clock_gettime, clocks[c], &kernel);
        int r3 = vdso_clock_gettime(clocks[c], &after);
        ok(r1 == 0 && r2 == 0 && r3 == 0 && nanoseconds(before) <= nanoseconds(kernel)
                && nanoseconds(kernel) <= nanoseconds(after),
            "%s: vDSO %lld <= system call %lld <= vDSO %lld", clock_names[c], nanoseconds(before), nanoseconds(kernel),
            nanoseconds(after));
    }
    struct timespec previous, now;
    vdso_clock_gettime(CLOCK_MONOTONIC, &previous);
    int backwards = 0;
    for (int i = 0; i < 20000; ++i) {
        vdso_clock_gettime(CLOCK_MONOTONIC, &now);
        backwards += nanoseconds(now) < nanoseconds(previous);
        previous = now;
    }
    ok(backwards == 0, "CLOCK_MONOTONIC through the vDSO never goes backwards in 20000 reads (%d did)", backwards);

    struct timeval tv;
    struct timespec wall_before, wall_after;
    clock_gettime(CLOCK_REALTIME, &wall_before);
    int tv_result = vdso_gettimeofday(&tv, NULL);
    clock_gettime(CLOCK_REALTIME, &wall_after);
    long long tv_ns = (long long)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
    ok(tv_result == 0 && tv_ns / 1000 >= nanoseconds(wall_before) / 1000 && tv_ns <= nanoseconds(wall_after),
        "__vdso_gettimeofday lies between two CLOCK_REALTIME readings");
    struct { int minutes_west, dst_time; } user_zone = { -1, -1 }, kernel_zone = { -2, -2 };
    vdso_gettimeofday(&tv, &user_zone);
    syscall(SYS_gettimeofday, &tv, &kernel_zone);
    ok(user_zone.minutes_west == kernel_zone.minutes_west && user_zone.dst_time == kernel_zone.dst_time,
        "__vdso_gettimeofday and the system call write the same time zone (%d/%d, kernel %d/%d)", user_zone.minutes_west,
        user_zone.dst_time, kernel_zone.minutes_west, kernel_zone.dst_time);
    time_t seconds_before = (time_t)syscall(SYS_time, NULL), stored = 0;
    time_t seconds = vdso_time(&stored);
    time_t seconds_after = (time_t)syscall(SYS_time, NULL);
    ok(seconds == stored && seconds >= seconds_before && seconds <= seconds_after,
        "__vdso_time returns and stores the system call's seconds (%ld in %ld..%ld)", (long)seconds, (long)seconds_before,
        (long)seconds_after);

    // Pinned to one CPU, getcpu cannot change between the two calls.
    cpu_set_t one;
    unsigned kernel_cpu = 99, kernel_node = 99, user_cpu = 98, user_node = 98;
    syscall(SYS_getcpu, &kernel_cpu, &kernel_node, NULL);
    CPU_ZERO(&one);
    CPU_SET(kernel_cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
    syscall(SYS_getcpu, &kernel_cpu, &kernel_node, NULL);
    int getcpu_result = vdso_getcpu(&user_cpu, &user_node, NULL);
    ok(getcpu_result == 0 && user_cpu == kernel_cpu && user_node == kernel_node,
        "__vdso_getcpu gives the system call's CPU and node (%u/%u, kernel %u/%u)", user_cpu, user_node, kernel_cpu,
        kernel_node);

    // Clocks the vDSO does not serve go to the kernel, errors included.
    struct timespec cpu_time;
    ok(vdso_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_time) == 0 && nanoseconds(cpu_time) > 0,
        "CLOCK_PROCESS_CPUTIME_ID through the vDSO works (the kernel answers it)");
    ok(vdso_clock_gettime(12345, &cpu_time) == -EINVAL, "a bad clock id through the vDSO is the kernel's -EINVAL");

    // The mechanism: no trap for the clocks it serves.
    long start = system_call_count();
    if (start < 0) {
        skip("no Syscalls: line in /proc/self/status (Linux keeps no such count)", "1000 vDSO calls make no system call");
        skip("no Syscalls: line in /proc/self/status", "1000 system calls are counted");
        skip("no Syscalls: line in /proc/self/status", "CLOCK_PROCESS_CPUTIME_ID makes one");
    } else {
        long baseline = system_call_count() - start; // what reading the count costs
        long before = system_call_count();
        for (int i = 0; i < 1000; ++i)
            vdso_clock_gettime(CLOCK_MONOTONIC, &now);
        for (int i = 0; i < 1000; ++i)
            clock_gettime(CLOCK_REALTIME, &now); // musl's clock_gettime, through the vDSO
        long through_vdso = system_call_count() - before;
        ok(through_vdso == baseline, "2000 clock_gettime calls through the vDSO made no system call (%ld counted, %ld to read it)",
            through_vdso, baseline);
        before = system_call_count();
        for (int i = 0; i < 1000; ++i)
            syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
        long through_kernel = system_call_count() - before;
        ok(through_kernel == 1000 + baseline, "1000 clock_gettime system calls are counted (%ld)", through_kernel - baseline);
        before = system_call_count();
        vdso_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
        ok(system_call_count() - before == 1 + baseline, "CLOCK_PROCESS_CPUTIME_ID through the vDSO makes one");
    }

    // The data page is the kernel's: read-only to the program.
    errno = 0;
    ok(vvar_start && mprotect((void*)vvar_start, 4096, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
        "mprotect of [vvar] to writable is EACCES (errno %d)", errno);
    pid_t child = fork();
    if (child == 0) {
        *(volatile char*)vvar_start = 1;
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a store to [vvar] is SIGSEGV (status %#x)", status);

    child = fork();
    if (child == 0) {
        struct timespec t;
        unsigned long child_vdso, child_vvar;
        find_maps(&child_vdso, &child_vvar);
        _exit(getauxval(AT_SYSINFO_EHDR) == image && child_vdso == image && vdso_clock_gettime(CLOCK_MONOTONIC, &t) == 0
                ? 0
                : 1);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child has the same [vdso] and it works there");
    return tap_done();
}
