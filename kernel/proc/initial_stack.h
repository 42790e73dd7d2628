// The initial user stack of a new program, laid out byte for byte as Linux x86_64's execve
// (fs/exec.c + binfmt_elf.c create_elf_tables) leaves it, so libc start-up code finds what
// it expects:
//
//   stack_top ->  8 zero bytes                       (Linux's end marker)
//                 execfn "path\0"                    <- AT_EXECFN
//                 envp strings, argv strings         <- env_start.., arg_start..
//                 0..15 bytes to align down to 16
//                 "x86_64\0"                         <- AT_PLATFORM
//                 16 random bytes                    <- AT_RANDOM
//                 padding so that rsp is 16-aligned
//                 auxv pairs ..., AT_NULL 0
//                 envp[0..envc-1], NULL
//                 argv[0..argc-1], NULL
//   rsp ------->  argc
//
// The builder writes this image into a kernel buffer; exec copies it to [rsp, stack_top).
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"

// Auxiliary-vector keys (Linux include/uapi/linux/auxvec.h and asm/auxvec.h). An enum
// rather than AT_* names so that hosted code may also include <elf.h>.
enum class AuxKey : u64 {
    Null = 0, // AT_NULL, ends the vector
    Phdr = 3, // AT_PHDR
    Phent = 4, // AT_PHENT
    Phnum = 5, // AT_PHNUM
    PageSize = 6, // AT_PAGESZ
    Base = 7, // AT_BASE
    Flags = 8, // AT_FLAGS
    Entry = 9, // AT_ENTRY
    Uid = 11, // AT_UID
    Euid = 12, // AT_EUID
    Gid = 13, // AT_GID
    Egid = 14, // AT_EGID
    Platform = 15, // AT_PLATFORM
    Hwcap = 16, // AT_HWCAP
    ClockTick = 17, // AT_CLKTCK
    Secure = 23, // AT_SECURE
    Random = 25, // AT_RANDOM
    Hwcap2 = 26, // AT_HWCAP2
    ExecFn = 31, // AT_EXECFN
    SysinfoEhdr = 33, // AT_SYSINFO_EHDR
    MinSigStackSize = 51, // AT_MINSIGSTKSZ
};

// Linux's execve limits (MAX_ARG_STRLEN, MAX_ARG_STRINGS in uapi/linux/binfmts.h; the
// argument space of fs/exec.c bprm_stack_limits with the default 8 MiB stack rlimit).
constexpr u64 EXEC_MAX_STRING_LENGTH = 32 * PAGE_SIZE; // one string, NUL included
constexpr u64 EXEC_MAX_STRINGS = 0x7fffffff; // strings in argv, or in envp
constexpr u64 EXEC_ARG_SPACE_LIMIT = 8 * MiB / 4; // strings + pointers, in total
constexpr u64 EXEC_CLOCK_TICKS = 100; // AT_CLKTCK: USER_HZ

// Strings already copied into kernel memory, each NUL-terminated.
struct StringList {
    char const* const* items;
    u64 count;
};

// Values for the auxiliary vector that depend on the program; the rest are constants.
// Addresses are final (a static-pie's bias already added).
struct AuxValues {
    u64 phdr; // AT_PHDR: program-header table in user memory
    u64 phent; // AT_PHENT
    u64 phnum; // AT_PHNUM
    u64 entry; // AT_ENTRY: the program's entry point
    u64 base = 0; // AT_BASE: interpreter load address; 0 without one
    u64 hwcap = 0; // AT_HWCAP: CPUID.1:EDX on x86
    u64 hwcap2 = 0; // AT_HWCAP2
    u64 sysinfo_ehdr = 0; // AT_SYSINFO_EHDR: vDSO address; the entry is left out when 0
    u64 min_signal_stack = 0; // AT_MINSIGSTKSZ (Linux 5.14+); left out when 0
    u64 uid = 0, euid = 0, gid = 0, egid = 0;
    u64 secure = 0; // AT_SECURE
};

// What exec needs after the image is built. All addresses are user addresses.
struct InitialStack {
    u64 rsp; // 16-byte aligned, points at argc; the image spans [rsp, stack_top)
    u64 size; // stack_top - rsp: bytes written at the start of out_buffer
    u64 argc; // may exceed argv.count by one: see build_initial_stack
    u64 arg_start; // argv strings [arg_start, arg_end), as /proc/pid/cmdline shows them
    u64 arg_end;
    u64 env_start; // envp strings [env_start, env_end), for /proc/pid/environ
    u64 env_end;
};

// Lays out argc/argv/envp/auxv/strings for a stack whose highest address is `stack_top`
// (16-byte aligned) into out_buffer[0, size), where out_buffer[0] is the byte at rsp.
// An empty argv gets argv[0] = "", as Linux has done since 5.18. Returns ArgListTooBig for
// Linux's limits (a string > EXEC_MAX_STRING_LENGTH, > EXEC_MAX_STRINGS strings, more than
// EXEC_ARG_SPACE_LIMIT in total) or when the image exceeds out_capacity.
Result<InitialStack> build_initial_stack(u64 stack_top, StringList argv, StringList envp, AuxValues const& aux,
    u8 const random[16], char const* execfn, u8* out_buffer, u64 out_capacity);

// A buffer of this many bytes always holds build_initial_stack's image for these strings,
// or `limit` when they need more (the build then fails with ArgListTooBig anyway): exec
// allocates what the arguments take, not the most they could take.
u64 initial_stack_capacity(StringList argv, StringList envp, char const* execfn, u64 limit);
