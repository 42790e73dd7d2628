// The kernel log: one line per call, prefixed "[pagoda] ", written to COM2 (and to the
// console on COM1 too when booted with log=console, as tools/boot does).
#pragma once

#include "types.h"

void klog(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
// Writes raw text to the log port(s) with no prefix or newline (panic reports, backtraces).
void klog_raw(char const* text, usize length);
void klog_set_mirror_to_console(bool);
