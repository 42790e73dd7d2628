// A small printf for the kernel (and hosted tests): %d %i %u %o %x %X %p %s %c %% with
// flags '-', '0', width, precision for %s, and length modifiers l, ll, z.
#pragma once

#include "types.h"
#include <cstdarg>

// Writes at most size-1 characters plus a NUL; returns the length the full output would have.
int format_to_buffer(char* buffer, usize size, char const* fmt, va_list args);
int format(char* buffer, usize size, char const* fmt, ...) __attribute__((format(printf, 3, 4)));
