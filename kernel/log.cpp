#include "lib/log.h"
#include "arch/x86_64/serial.h"
#include "lib/format.h"
#include <cstdarg>

namespace {
ConsoleMirror g_mirror = ConsoleMirror::Off;
}

void klog_set_console_mirror(ConsoleMirror mirror) { g_mirror = mirror; }

void klog_panic_begins()
{
    if (g_mirror == ConsoleMirror::PanicsOnly)
        g_mirror = ConsoleMirror::Everything;
}

void klog_raw(char const* text, usize length)
{
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
    klog_raw(line, length);
}
