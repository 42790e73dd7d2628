// Kernel invariants. VERIFY/PANIC are for the kernel's own bugs; user input never reaches them.
#pragma once

[[noreturn]] void panic(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

#define PANIC(...) panic(__VA_ARGS__)
#define VERIFY(expr)                                                                                                             \
    do {                                                                                                                         \
        if (!(expr)) [[unlikely]]                                                                                                \
            panic("VERIFY(%s) failed at %s:%d in %s", #expr, __FILE__, __LINE__, __func__);                                      \
    } while (0)
#define VERIFY_NOT_REACHED() panic("unreachable code reached at %s:%d", __FILE__, __LINE__)
