// The kernel log: one line per call, prefixed "[pagoda] ", written to COM2 (and to the
// console on COM1 too when booted with log=console, as tools/boot does).
#pragma once

#include "types.h"

void klog(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
// Writes raw text to the log port(s) with no prefix or newline (panic reports, backtraces).
void klog_raw(char const* text, usize length);
void klog_set_mirror_to_console(bool);

// Logs once per call site and boot: for a refusal (a call or flag that is not supported)
// that a program may repeat in a loop.
#define KLOG_ONCE(...)                                                                                                           \
    do {                                                                                                                         \
        static bool logged_;                                                                                                     \
        if (!logged_) {                                                                                                          \
            logged_ = true;                                                                                                      \
            klog(__VA_ARGS__);                                                                                                   \
        }                                                                                                                        \
    } while (0)
