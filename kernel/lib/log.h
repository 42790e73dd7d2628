// The kernel log: one line per call, prefixed "[pagoda] ", written to COM2 (and to the
// console on COM1 too when booted with log=console; with log=boot, as tools/boot does, only
// until the first program starts, and then panics only, so that a shell's screen is not
// interleaved with the log).
#pragma once

#include "types.h"

void klog(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
// Writes raw text to the log port(s) with no prefix or newline (panic reports, backtraces).
void klog_raw(char const* text, usize length);
enum class ConsoleMirror {
    Off,
    Everything,
    PanicsOnly,
};
void klog_set_console_mirror(ConsoleMirror);
// A panic report follows: mirrored to the console unless the mirror is Off.
void klog_panic_begins();

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
