// The kernel command line (QEMU -append): space-separated options, then "--" and the first
// program's arguments. Options:
//   init=PATH            the first program (default /init)
//   args=PATH, env=PATH  files in the root whose NUL-terminated strings are the first
//                        program's whole argv (argv[0] included) and its environment
//                        (init_arguments.h): how tools/pagoda-run passes any argument list
//   log=console          mirror the kernel log onto the console
//   log=boot             mirror it until the first program starts, then only a panic
//   fork=copy            eager-copy fork instead of copy-on-write
//   stats, profile       print the VM counters / the kernel's stage times when init exits
//   selftest=fault|stack|verify  fault on purpose, overflow a kernel stack into its guard
//                        page, fail a VERIFY (whose message names its source file)
//   root=vda             mount the first disk's ext2 volume as / instead of the initramfs;
//                        further disks go to /mnt, /mnt1, /mnt2...
//   flush_interval=S, dirty_age=S  the write-back flusher's period and age limit (5, 30)
//   aslr=off             no address-space randomization: stack, mmap area, PIE base and
//                        heap at Linux's fixed places, for reproducible demos
//   trace=vm             record the VM event trace from the first program on (docs/vmview.md);
//                        dumped to the log at shutdown
//   trace_records=N      the trace ring's size in 64-byte records (default 65536, at least 1024)
// Words after "--" are percent-decoded, so a hand-written command line can pass spaces and
// empty strings ("%20", and "%" alone for an empty argument); at most MAX_ARGS of them.
#pragma once

#include "lib/types.h"

struct BootOptions {
    static constexpr usize MAX_ARGS = 64;
    char const* init_path { "/init" };
    bool log_to_console { false }; // log=console: the whole log on the console too
    bool log_to_console_at_boot { false }; // log=boot: until the first program starts, then panics only
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
    bool trace_vm { false }; // trace=vm: the VM event trace on from the first program
    u64 trace_records { 0 }; // trace_records=N: its ring's size (0: the default)
    char const* args_file { nullptr }; // args=PATH: argv from this file instead of after "--"
    char const* env_file { nullptr }; // env=PATH: the environment from this file
    char const* init_args[MAX_ARGS];
    usize init_arg_count { 0 };
};

// Parses `command_line` in place (it is modified and must outlive the result).
void parse_boot_options(char* command_line, BootOptions& out);
