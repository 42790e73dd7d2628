// Random bytes for AT_RANDOM and getrandom(): RDRAND when the CPU has it, mixed with the TSC.
// Not a cryptographic generator; Pagoda is a teaching kernel.
#pragma once

#include "kernel/lib/types.h"

void random_fill(u8* buffer, usize length);
