// Core dumps: a process killed by a signal whose default action is "core" (SIGQUIT, SIGILL,
// SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS) leaves an ELF core
// file, as Linux's do_coredump and binfmt_elf's elf_core_dump write it, and its wait status
// gets WCOREDUMP (0x80) — only when a core file was made and its writing began.
//
//   when     the process is dumpable (prctl PR_SET_DUMPABLE) and RLIMIT_CORE is at least a
//            page (Linux's min_coredump); the file ends where the next write would pass
//            RLIMIT_CORE (or fails), and that still counts as dumped, as on Linux
//   where    /proc/sys/kernel/core_pattern ("core"), relative to the process's directory,
//            with %p %P %i %I %u %g %s %t %h %e %E %c %d %% expanded as Linux does (others
//            dropped); a pattern that pipes to a program ("|...") is not supported: no dump,
//            a log line. An old file of that name is unlinked, the new one made O_EXCL 0600
//   what     an ELF header (ET_CORE, EM_X86_64); a PT_NOTE with NT_PRSTATUS (the registers
//            of the thread that took the signal — the only one left: the others have ended
//            by then, so they are not in the file), NT_PRPSINFO and NT_AUXV-less; one PT_LOAD
//            per mapping, page aligned, its bytes those coredump_filter 0x33 selects
//            (Linux's default): anonymous memory, private and shared, private file
//            mappings that have private copies, the first page of a file mapping that
//            starts with an ELF header, the vDSO; nothing of a VM_DONTDUMP mapping
//            (MADV_DONTDUMP) or of [vvar]. A page never touched is a hole in the file.
#pragma once

#include "kernel/lib/types.h"

class Process;
class Thread;

bool signal_dumps_core(int signal);

// /proc/sys/kernel/core_pattern: at most 127 bytes (Linux's CORENAME_MAX_SIZE less one).
struct CorePattern {
    static constexpr usize CAPACITY = 128;
    char text[CAPACITY] = "core";
};
CorePattern& core_pattern();

// /proc/<pid>/coredump_filter: which kinds of mappings a dump holds (Linux's
// MMF_DUMP_FILTER_DEFAULT: anonymous private and shared, ELF headers, private huge pages).
// The same for every process here; the file is read-only.
constexpr u32 COREDUMP_FILTER = 0x33;

// Writes the core file of `process`, whose only thread left is `thread` (the one `signal`
// kills). True if the file was made and written (up to RLIMIT_CORE): WCOREDUMP. May sleep
// (the file's disk).
bool write_core_dump(Process& process, Thread& thread, int signal);
