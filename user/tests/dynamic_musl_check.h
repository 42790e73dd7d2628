// dynamic_musl_check.h — the body of dynamic_musl and dynamic_musl_aslr_off: a dynamically
// linked musl program (PT_INTERP /lib/ld-musl-x86_64.so.1, ET_DYN): execve maps the interpreter as a second image and starts there; the interpreter
// finds the program through AT_PHDR and AT_ENTRY and the vDSO through AT_SYSINFO_EHDR.
// Checks: AT_BASE is the start of the interpreter's mapping, which /proc/self/maps names
// by a file that is the PT_INTERP file; AT_ENTRY is the program's _start; the program's
// own mapping is named too; a fork child (interpreter mappings copied) runs libc code and
// sees the same layout; an execve of itself gets a different program and interpreter
// base unless randomization is off; libc's clock_gettime goes through the vDSO.
#ifndef PAGODA_TESTS_DYNAMIC_MUSL_CHECK_H
#define PAGODA_TESTS_DYNAMIC_MUSL_CHECK_H

#include "proc_util.h"
#include "tap.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char _start[];

// The maps line holding `address`: its start and the file name (empty if none).
static int mapping_of(unsigned long address, unsigned long* start, char* name, size_t size)
{
    FILE* maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && !found && fgets(line, sizeof line, maps)) {
        unsigned long from, to;
        char path[400] = "";
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %399s", &from, &to, path) < 2)
            continue;
        if (address >= from && address < to) {
            *start = from;
            snprintf(name, size, "%s", path);
            found = 1;
        }
    }
    if (maps)
        fclose(maps);
    return found;
}

// The lowest mapping whose name is `name`: where that file's image starts.
static unsigned long image_start(const char* name)
{
    FILE* maps = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long lowest = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long from, to;
        char path[400] = "";
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %399s", &from, &to, path) == 3 && strcmp(path, name) == 0
            && (!lowest || from < lowest))
            lowest = from;
    }
    if (maps)
        fclose(maps);
    return lowest;
}

static int same_file(const char* a, const char* b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// The program's PT_INTERP, read from its program headers in memory.
static const char* interpreter_name(void)
{
    const Elf64_Phdr* phdrs = (const Elf64_Phdr*)getauxval(AT_PHDR);
    unsigned long count = getauxval(AT_PHNUM);
    uintptr_t bias = 0;
    for (unsigned long i = 0; i < count; ++i)
        if (phdrs[i].p_type == PT_PHDR)
            bias = (uintptr_t)phdrs - phdrs[i].p_vaddr;
    for (unsigned long i = 0; i < count; ++i)
        if (phdrs[i].p_type == PT_INTERP)
            return (const char*)(bias + phdrs[i].p_vaddr);
    return NULL;
}

// Runs ourselves with "bases": prints AT_BASE and the program's base.
static int bases_of_new_run(unsigned long* base, unsigned long* program)
{
    char text[128];
    char* const argv[] = { "dynamic_musl", "bases", NULL };
    int status = run_capturing_output("/proc/self/exe", argv, text, sizeof text);
    return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && sscanf(text, "%lx %lx", base, program) == 2 ? 0 : -1;
}

static int dynamic_check_main(int argc, char** argv)
{
    unsigned long program_base = (unsigned long)getauxval(AT_PHDR) - sizeof(Elf64_Ehdr);
    if (argc > 1 && strcmp(argv[1], "bases") == 0) {
        printf("%lx %lx\n", getauxval(AT_BASE), program_base);
        return 0;
    }
    tap_plan(11);
    const char* interpreter = interpreter_name();
    ok(interpreter && strcmp(interpreter, "/lib/ld-musl-x86_64.so.1") == 0, "PT_INTERP names musl's loader (%s)",
        interpreter ? interpreter : "none");
    unsigned long base = getauxval(AT_BASE);
    ok(base != 0 && base % 4096 == 0, "AT_BASE is the interpreter's page-aligned load address (%#lx)", base);
    unsigned long start = 0;
    char name[400] = "";
    int mapped = mapping_of(base, &start, name, sizeof name);
    ok(mapped && start == base && name[0] == '/', "/proc/self/maps has a file mapping starting at AT_BASE (%s)", name);
    ok(interpreter && same_file(name, interpreter), "that file is the PT_INTERP file");
    ok(getauxval(AT_ENTRY) == (unsigned long)(uintptr_t)_start, "AT_ENTRY is the program's _start, not the interpreter's");
    char self_name[400] = "";
    mapping_of((unsigned long)(uintptr_t)_start, &start, self_name, sizeof self_name);
    ok(self_name[0] == '/' && same_file(self_name, "/proc/self/exe") && image_start(self_name) == program_base,
        "the program is mapped from its own file (%s) at its ELF header (%#lx)", self_name, program_base);

    struct timespec t;
    ok(clock_gettime(CLOCK_MONOTONIC, &t) == 0 && getauxval(AT_SYSINFO_EHDR) != 0, "libc's clock_gettime works (vDSO at %#lx)",
        getauxval(AT_SYSINFO_EHDR));

    pid_t child = fork();
    if (child == 0) {
        char child_name[400] = "";
        unsigned long child_start = 0;
        int fine = mapping_of(base, &child_start, child_name, sizeof child_name) && child_start == base
            && strcmp(child_name, name) == 0;
        char buffer[64];
        snprintf(buffer, sizeof buffer, "%d", 42); // libc code from the interpreter's mappings
        _exit(fine && strcmp(buffer, "42") == 0 ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child has the interpreter at the same place and runs libc");

    char setting[16] = "2";
    if (read_whole_file("/proc/sys/kernel/randomize_va_space", setting, sizeof setting) < 0)
        setting[0] = '2';
    unsigned long base1, program1, base2, program2;
    int ran = bases_of_new_run(&base1, &program1) == 0 && bases_of_new_run(&base2, &program2) == 0;
    ok(ran && base1 && program1 >= 0x10000, "execve of itself runs again (AT_BASE %#lx, program %#lx)", base1, program1);
    if (setting[0] == '0') {
        ok(ran && base1 == base2, "without randomization AT_BASE is the same every run");
        ok(ran && program1 == program2 && program1 == 0x555555554000ul,
            "and the program is at Linux's ELF_ET_DYN_BASE, 0x555555554000 (%#lx)", program1);
    } else {
        ok(ran && (base1 != base2 || base1 != base), "randomized: AT_BASE differs between runs (%#lx %#lx %#lx)", base, base1,
            base2);
        ok(ran && (program1 != program2 || program1 != program_base),
            "randomized: the program's base differs between runs (%#lx %#lx %#lx)", program_base, program1, program2);
    }
    return tap_done();
}

#endif
