// The kernel command line (QEMU -append): space-separated options, then "--" and the first
// program's arguments. Options: init=PATH (default /init), log=console (mirror the kernel
// log onto the console), fork=copy (eager-copy fork instead of copy-on-write), stats (print
// the VM counters to the log when the first program exits), selftest=fault (make the kernel
// fault on purpose, to check the panic report), selftest=stack (overflow a kernel stack into
// its guard page), selftest=verify (fail a VERIFY, whose message names its source file), root=vda (mount the first disk's ext2
// volume as / instead of the initramfs; a further disk goes to /mnt), flush_interval=S and dirty_age=S (the write-back flusher's
// period and age limit, in seconds; 5 and 30 default), aslr=off (no address-space randomization:
// stack, mmap area, PIE base and heap at Linux's fixed places, for reproducible demos). Arguments are percent-decoded, so
// tools/pagoda-run can pass spaces and empty strings
// ("%20", and "%" alone for an empty argument).
#pragma once

#include "lib/types.h"

struct BootOptions {
    static constexpr usize MAX_ARGS = 64;
    char const* init_path { "/init" };
    bool log_to_console { false };
    bool eager_copy_fork { false };
    bool print_stats { false };
    bool profile { false }; // profile: time kernel stages (lib/profile.h), printed at shutdown
    bool fault_self_test { false }; // selftest=fault: touch an unmapped kernel address after boot
    bool stack_self_test { false }; // selftest=stack: a kernel thread overflows its stack
    bool verify_self_test { false }; // selftest=verify: a VERIFY fails after boot
    bool root_on_disk { false }; // root=vda: the root file system is ext2 on the first disk
    u64 flush_interval_seconds { 5 }; // flush_interval=S: how often the flusher wakes
    u64 dirty_age_seconds { 30 }; // dirty_age=S: how long a page may stay dirty
    bool randomize_addresses { true }; // aslr=off: execve places everything at fixed addresses
    char const* init_args[MAX_ARGS];
    usize init_arg_count { 0 };
};

// Parses `command_line` in place (it is modified and must outlive the result).
void parse_boot_options(char* command_line, BootOptions& out);
