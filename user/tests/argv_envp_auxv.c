// argv_envp_auxv — the initial process stack as execve() builds it.
// The runner passes exactly these arguments (shell words); the test knows what to expect:
// args: one "two words" ""
// Checks argc/argv (including an empty argument), that envp is a well-formed,
// NULL-terminated list placed right after argv's NULL (the environment itself is not
// checked: Pagoda's is minimal), and the auxiliary vector: AT_PAGESZ, AT_PHDR/AT_PHNUM/
// AT_PHENT against the program's own ELF header, AT_ENTRY == _start, AT_RANDOM.
#include "tap.h"

#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

extern char** environ;
extern char _start[];                 // the entry point (crt1.o)
extern const Elf64_Ehdr __ehdr_start; // the linker places it on our own mapped ELF header

static const char* const expected_argv[] = { "one", "two words", "" };
#define EXPECTED_ARGC 4

int main(int argc, char** argv, char** envp)
{
    tap_plan(17);

    // --- argv ---
    ok(argc == EXPECTED_ARGC, "argc == %d (got %d)", EXPECTED_ARGC, argc);
    int args_match = argc == EXPECTED_ARGC;
    for (int i = 1; args_match && i < EXPECTED_ARGC; ++i)
        args_match = argv[i] != NULL && strcmp(argv[i], expected_argv[i - 1]) == 0;
    ok(args_match, "argv[1..3] are \"one\", \"two words\", \"\" (got \"%s\", \"%s\", \"%s\")",
        argc > 1 ? argv[1] : "(none)", argc > 2 ? argv[2] : "(none)", argc > 3 ? argv[3] : "(none)");
    ok(argv[0] != NULL && argv[0][0] != '\0', "argv[0] is a non-empty string (\"%s\")", argv[0] ? argv[0] : "(null)");
    ok(argv[argc] == NULL, "argv[argc] is NULL");

    // --- envp ---
    ok(envp == argv + argc + 1, "envp starts right after argv's NULL (envp=%p, argv+argc+1=%p)",
        (void*)envp, (void*)(argv + argc + 1));
    ok(environ == envp, "environ == envp");
    int env_count = 0, env_well_formed = 1;
    for (char** e = envp; *e && env_count < 100000; ++e, ++env_count) {
        const char* eq = strchr(*e, '=');
        if (!eq || eq == *e)
            env_well_formed = 0;
    }
    ok(env_count < 100000, "envp is NULL-terminated (%d entries)", env_count);
    ok(env_well_formed, "every envp entry has the form NAME=value");

    // --- auxv: found right after envp's NULL, a list of (type, value) pairs ended by AT_NULL ---
    Elf64_auxv_t* auxv = (Elf64_auxv_t*)(envp + env_count + 1);
    int aux_count = 0, aux_pagesz_seen = 0;
    while (aux_count < 256 && auxv[aux_count].a_type != AT_NULL) {
        if (auxv[aux_count].a_type == AT_PAGESZ)
            aux_pagesz_seen = auxv[aux_count].a_un.a_val == getauxval(AT_PAGESZ);
        ++aux_count;
    }
    ok(aux_count < 256 && aux_pagesz_seen, "auxv follows envp, ends with AT_NULL (%d entries) and agrees with getauxval",
        aux_count);

    unsigned long pagesz = getauxval(AT_PAGESZ);
    ok(pagesz == 4096, "AT_PAGESZ == 4096 (got %lu)", pagesz);

    const Elf64_Ehdr* eh = &__ehdr_start;
    ok(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64,
        "our own ELF header is mapped at %p", (const void*)eh);

    unsigned long phdr = getauxval(AT_PHDR);
    unsigned long expected_phdr = (unsigned long)eh + eh->e_phoff;
    ok(phdr == expected_phdr, "AT_PHDR == ELF header + e_phoff (got %#lx, expected %#lx)", phdr, expected_phdr);

    unsigned long phnum = getauxval(AT_PHNUM);
    unsigned long phent = getauxval(AT_PHENT);
    ok(phnum == eh->e_phnum && phent == sizeof(Elf64_Phdr), "AT_PHNUM == e_phnum (%lu vs %u), AT_PHENT == %zu (%lu)",
        phnum, eh->e_phnum, sizeof(Elf64_Phdr), phent);

    // Walk the program headers through AT_PHDR: a PT_LOAD must cover our own main().
    int covers_main = 0;
    if (phdr == expected_phdr) {
        const Elf64_Phdr* ph = (const Elf64_Phdr*)phdr;
        uintptr_t main_address = (uintptr_t)&main;
        for (unsigned long i = 0; i < phnum; ++i) {
            if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && main_address >= ph[i].p_vaddr
                && main_address < ph[i].p_vaddr + ph[i].p_memsz)
                covers_main = 1;
        }
    }
    ok(covers_main, "an executable PT_LOAD found through AT_PHDR covers main()");

    unsigned long entry = getauxval(AT_ENTRY);
    ok(entry == (unsigned long)_start && entry == eh->e_entry, "AT_ENTRY == _start == e_entry (%#lx, %p, %#lx)", entry,
        (void*)_start, (unsigned long)eh->e_entry);

    const unsigned char* random_bytes = (const unsigned char*)getauxval(AT_RANDOM);
    int nonzero = 0;
    if (random_bytes) {
        for (int i = 0; i < 16; ++i)
            nonzero |= random_bytes[i];
    }
    ok(random_bytes != NULL && nonzero, "AT_RANDOM points to 16 readable bytes, not all zero (%p)",
        (const void*)random_bytes);

    // The 16 random bytes must not overlap the argument or environment strings.
    int random_separate = random_bytes != NULL;
    for (int i = 0; random_separate && i < argc; ++i) {
        const unsigned char* a = (const unsigned char*)argv[i];
        size_t len = strlen(argv[i]) + 1;
        if (random_bytes < a + len && a < random_bytes + 16)
            random_separate = 0;
    }
    ok(random_separate, "AT_RANDOM bytes do not overlap the argv strings");

    return tap_done();
}
