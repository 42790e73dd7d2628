// Hosted stand-in for the kernel log: klog lines go to stderr, prefixed as in the kernel.
#include "kernel/lib/log.h"
#include <cstdarg>
#include <cstdio>

void klog(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "[pagoda] ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
}

void klog_raw(char const* text, usize length) { fwrite(text, 1, length, stderr); }

void klog_set_console_mirror(ConsoleMirror) { }
