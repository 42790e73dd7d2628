// The number a program writes into a /proc/sys tunable, read as Linux's proc_dointvec and
// proc_doulongvec_minmax read one: optional white space, an optional minus sign, decimal
// digits, optional white space (a trailing newline, as `echo` writes), nothing else.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

struct SysctlNumber {
    bool negative { false };
    u64 magnitude { 0 };
};
// EINVAL for anything else, or for a magnitude that does not fit in 64 bits.
Result<SysctlNumber> parse_sysctl_number(char const* text, usize length);
