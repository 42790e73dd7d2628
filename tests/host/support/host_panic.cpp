// Hosted stand-in for the kernel's panic(): print and abort, so a broken invariant fails
// the test with the kernel's own message.
#include "../../../kernel/lib/assert.h"
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

void panic(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "PANIC: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    abort();
}
