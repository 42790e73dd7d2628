#include "lib/log.h"
#include "arch/x86_64/serial.h"
#include "lib/format.h"
#include <cstdarg>

namespace {
ConsoleMirror g_mirror = ConsoleMirror::Off;

// The ring: g_written bytes were ever put in; byte i lives at i % KLOG_RING_SIZE. What lies
// before g_cleared (CLEAR) or g_consumed (READ) is gone for those readers.
char g_ring[KLOG_RING_SIZE];
u64 (*g_clock)() = nullptr;
u64 g_written, g_cleared, g_consumed;

void ring_put(char const* text, usize length)
{
    for (usize i = 0; i < length; ++i)
        g_ring[g_written++ % KLOG_RING_SIZE] = text[i];
}

// The oldest byte still in the ring for a reader that has seen everything before `seen`.
u64 oldest_for(u64 seen) { return max(seen, g_written > KLOG_RING_SIZE ? g_written - KLOG_RING_SIZE : 0); }

void ring_put_line(char const* text, usize length)
{
    char stamp[40];
    u64 ns = g_clock ? g_clock() : 0;
    int n = format(stamp, sizeof stamp, "<6>[%5lu.%06lu] ", ns / 1000000000, ns / 1000 % 1000000);
    ring_put(stamp, static_cast<usize>(n));
    ring_put(text, length);
}
}

ConsoleMirror klog_console_mirror() { return g_mirror; }
void klog_set_clock(u64 (*nanoseconds)()) { g_clock = nanoseconds; }

usize klog_ring_read_all(char* out, usize capacity)
{
    u64 from = oldest_for(g_cleared);
    if (g_written - from > capacity)
        from = g_written - capacity;
    // Start at a whole line: after the first newline, unless `from` is where one begins.
    if (from > 0 && from > oldest_for(g_cleared) && g_ring[(from - 1) % KLOG_RING_SIZE] != '\n')
        while (from < g_written && g_ring[from++ % KLOG_RING_SIZE] != '\n') { }
    usize n = 0;
    for (u64 i = from; i < g_written; ++i)
        out[n++] = g_ring[i % KLOG_RING_SIZE];
    return n;
}

usize klog_ring_read_unread(char* out, usize capacity)
{
    u64 from = oldest_for(g_consumed);
    usize n = 0;
    for (; from < g_written && n < capacity; ++from)
        out[n++] = g_ring[from % KLOG_RING_SIZE];
    g_consumed = from;
    return n;
}

usize klog_ring_unread() { return g_written - oldest_for(g_consumed); }
usize klog_ring_used() { return g_written - oldest_for(g_cleared); }
void klog_ring_clear() { g_cleared = g_written; }

void klog_set_console_mirror(ConsoleMirror mirror) { g_mirror = mirror; }

void klog_panic_begins()
{
    if (g_mirror == ConsoleMirror::PanicsOnly)
        g_mirror = ConsoleMirror::Everything;
}

void klog_raw(char const* text, usize length)
{
    ring_put(text, length);
    serial_write(SerialPort::Com2, text, length);
    if (g_mirror == ConsoleMirror::Everything)
        serial_write(SerialPort::Com1, text, length);
}

void klog(char const* fmt, ...)
{
    char line[512];
    int prefix = format(line, sizeof line, "[pagoda] ");
    va_list args;
    va_start(args, fmt);
    int n = format_to_buffer(line + prefix, sizeof line - prefix - 1, fmt, args);
    va_end(args);
    usize length = min<usize>(prefix + n, sizeof line - 2);
    line[length++] = '\n';
    ring_put_line(line + prefix, length - prefix);
    serial_write(SerialPort::Com2, line, length);
    if (g_mirror == ConsoleMirror::Everything)
        serial_write(SerialPort::Com1, line, length);
}
