// The number a program writes into a /proc/sys tunable, read as Linux's proc_dointvec and
// proc_doulongvec_minmax read one value: optional white space, decimal digits, optional
// white space (a trailing newline, as `echo` writes), nothing else; where `negative` is
// given, a minus sign is allowed too and reported there.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

// EINVAL for anything else, or for a number that does not fit in 64 bits.
Result<u64> parse_sysctl_number(char const* text, usize length, bool* negative = nullptr);
