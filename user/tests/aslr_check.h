// aslr_check.h — the body of static_pie_aslr and static_pie_aslr_off: a static-pie program
// that runs itself three times (/proc/self/exe, argument "report") and compares where each
// run found its code, stack, heap (brk), first mmap and vDSO. With randomization on
// (/proc/sys/kernel/randomize_va_space not 0) no kind of address may be the same in all
// three runs; with it off every kind must be the same in all three, at Linux's fixed
// places (the stack just below 0x7ffffffff000, the program in the mmap area below it).
#ifndef PAGODA_TESTS_ASLR_CHECK_H
#define PAGODA_TESTS_ASLR_CHECK_H

#include "proc_util.h"
#include "tap.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern const Elf64_Ehdr __ehdr_start;

enum { CODE, STACK, HEAP, MAPPING, VDSO, KINDS };
static const char* const kind_names[KINDS] = { "code", "stack", "heap", "mmap", "vdso" };
#define RUNS 3

static int report(void)
{
    int on_stack = 0;
    void* mapping = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("%lx %lx %lx %lx %lx\n", (unsigned long)(uintptr_t)&__ehdr_start, (unsigned long)(uintptr_t)&on_stack,
        (unsigned long)(uintptr_t)sbrk(0), (unsigned long)(uintptr_t)mapping, getauxval(AT_SYSINFO_EHDR));
    return 0;
}

// One run of ourselves with "report": its five addresses. 0 on success.
static int run_once(unsigned long addresses[KINDS])
{
    char text[256];
    char* const argv[] = { "aslr", "report", NULL };
    int status = run_capturing_output("/proc/self/exe", argv, text, sizeof text);
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return sscanf(text, "%lx %lx %lx %lx %lx", &addresses[0], &addresses[1], &addresses[2], &addresses[3], &addresses[4])
            == KINDS
        ? 0
        : -1;
}

static int aslr_check_main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return report();

    tap_plan(4 + KINDS + 1);
    ok(__ehdr_start.e_type == ET_DYN, "the program is position independent (e_type %u, ET_DYN is 3)", __ehdr_start.e_type);
    ok(getauxval(AT_BASE) == 0, "no interpreter: AT_BASE is 0 (got %#lx)", getauxval(AT_BASE));
    ok(getauxval(AT_PHDR) == (unsigned long)(uintptr_t)&__ehdr_start + __ehdr_start.e_phoff,
        "AT_PHDR is where this run loaded its program headers");

    char setting[16] = "";
    if (read_whole_file("/proc/sys/kernel/randomize_va_space", setting, sizeof setting) < 0)
        setting[0] = '\0';
    int randomized = setting[0] != '0';
    ok(setting[0] >= '0' && setting[0] <= '2', "randomize_va_space reads 0, 1 or 2 (\"%.1s\")", setting);

    unsigned long runs[RUNS][KINDS];
    int all_ran = 1;
    for (int r = 0; r < RUNS; ++r)
        all_ran &= run_once(runs[r]) == 0;
    for (int k = 0; k < KINDS; ++k) {
        int all_same = all_ran;
        for (int r = 1; r < RUNS; ++r)
            all_same &= runs[r][k] == runs[0][k];
        if (randomized)
            ok(all_ran && !all_same, "randomized: the %s address differs between runs (%#lx %#lx %#lx)", kind_names[k],
                runs[0][k], runs[1][k], runs[2][k]);
        else
            ok(all_same, "not randomized: the %s address is the same in every run (%#lx %#lx %#lx)", kind_names[k],
                runs[0][k], runs[1][k], runs[2][k]);
    }
    if (randomized)
        ok(all_ran && runs[0][STACK] < 0x7ffffffff000ul, "the stack lies below 0x7ffffffff000 (%#lx)", runs[0][STACK]);
    else
        ok(all_ran && runs[0][STACK] > 0x7ffffff00000ul && runs[0][CODE] > 0x7ff000000000ul && runs[0][CODE] < runs[0][STACK],
            "Linux's fixed places: stack just below 0x7ffffffff000 (%#lx), the program in the mmap area below it (%#lx)",
            runs[0][STACK], runs[0][CODE]);
    return tap_done();
}

#endif
