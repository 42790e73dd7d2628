// The buffer /proc's generated files are written into: formatted text appended up to a
// fixed capacity (a longer file is cut there).
#pragma once

#include "kernel/lib/format.h"
#include "kernel/lib/memory.h"
#include <cstdarg>

constexpr usize TEXT_CAPACITY = 16 * 1024;

struct TextBuilder {
    char* text;
    usize length { 0 };
    void append(char const* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        va_list args;
        va_start(args, fmt);
        int n = format_to_buffer(text + length, TEXT_CAPACITY - length, fmt, args);
        va_end(args);
        length = min<usize>(length + n, TEXT_CAPACITY - 1);
    }
};
