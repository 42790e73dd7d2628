#include "lib/log.h"
#include "arch/x86_64/serial.h"
#include "lib/format.h"
#include <cstdarg>

namespace {
bool g_mirror_to_console = false;
}

void klog_set_mirror_to_console(bool mirror) { g_mirror_to_console = mirror; }

void klog_raw(char const* text, usize length)
{
    serial_write(SerialPort::Com2, text, length);
    if (g_mirror_to_console)
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
