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
ConsoleMirror klog_console_mirror();

// The last KLOG_RING_SIZE bytes of the log, kept in memory for syslog(2) (dmesg) as Linux's
// printk ring: each line as "<6>[seconds.micros] text" (level 6, KERN_INFO, for all; the
// "[pagoda] " prefix of the log port left out).
constexpr usize KLOG_RING_SIZE = 64 * 1024;
// The clock of the ring's time stamps, once there is one (before it, lines say 0.000000).
void klog_set_clock(u64 (*nanoseconds)());
// Copies the newest whole lines that fit in `capacity` bytes, oldest first; returns the count.
usize klog_ring_read_all(char* out, usize capacity);
// Copies up to `capacity` bytes not read this way before (syslog's READ), oldest first.
usize klog_ring_read_unread(char* out, usize capacity);
usize klog_ring_unread();
usize klog_ring_used();
// Forgets what the ring holds (syslog's CLEAR): READ_ALL shows only what comes after.
void klog_ring_clear();

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
