// The /proc files of core dumps (proc/core_dump.h): /proc/sys/kernel/core_pattern (readable,
// written by root) and /proc/<pid>/coredump_filter (read-only: every process has Linux's
// default filter, and that is what the dump honours).
#pragma once

#include "kernel/lib/result.h"
#include "text_builder.h"

class Process;

void fill_core_pattern(TextBuilder&, Process&);
// As Linux's proc_dostring: the bytes up to the first newline or NUL, at most 127 of them
// (the rest is dropped). An empty pattern means no core files.
Result<void> set_core_pattern(char const* text, usize length);
void fill_coredump_filter(TextBuilder&, Process&);
