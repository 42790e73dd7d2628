// Kernel symbol lookup for backtraces. The build writes `nm -n` output of kernel.elf to
// kernel.map, which the boot scripts pass as a multiboot module; the kernel parses it
// lazily, only when it has something to symbolize.
#pragma once

#include "kernel/lib/types.h"

void symbols_set_map(char const* text, usize length);
// Writes "name+0xoffset" for `address` into `out`; false if unknown.
bool symbolize(u64 address, char* out, usize capacity);
