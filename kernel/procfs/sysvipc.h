// System V shared memory in /proc: /proc/sysvipc/shm (every segment, as ipcs reads it) and
// the tunables /proc/sys/kernel/shmmax, shmall, shmmni and shm_next_id (readable, and
// writable by root).
#pragma once

#include "kernel/lib/result.h"
#include "text_builder.h"

class Process;

void fill_sysvipc_shm(TextBuilder&, Process&);
void fill_shmmax(TextBuilder&, Process&);
void fill_shmall(TextBuilder&, Process&);
void fill_shmmni(TextBuilder&, Process&);
void fill_shm_next_id(TextBuilder&, Process&);
// A write of a decimal number (surrounding white space allowed): EINVAL for anything else
// or, for shmmni, a number above 32768 (Linux's IPCMNI).
Result<void> set_shmmax(char const* text, usize length);
Result<void> set_shmall(char const* text, usize length);
Result<void> set_shmmni(char const* text, usize length);
// shm_next_id: -1 (none) or an id up to INT_MAX.
Result<void> set_shm_next_id(char const* text, usize length);
