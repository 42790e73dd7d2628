// The C memory and string functions: from kernel/runtime in the kernel, from libc on the host.
#pragma once

#include "types.h"

#ifdef PAGODA_HOSTED
#include <cstring>
#else
extern "C" {
void* memcpy(void*, void const*, usize);
void* memmove(void*, void const*, usize);
void* memset(void*, int, usize);
int memcmp(void const*, void const*, usize);
usize strlen(char const*);
int strcmp(char const*, char const*);
int strncmp(char const*, char const*, usize);
}
#endif

// The part of a path after its last '/' (all of it when there is none), as basename(3)
// for a path without a trailing slash.
inline char const* base_name(char const* path)
{
    char const* base = path;
    for (char const* p = path; *p; ++p)
        if (*p == '/')
            base = p + 1;
    return base;
}
