// What a freestanding C++ program needs from a runtime: operator new/delete on the kernel
// heap, the C memory/string functions the compiler may call, and a few ABI hooks.
#include "heap.h"
#include "kernel/lib/assert.h"
#include <new>

namespace std {
nothrow_t const nothrow {};
}

void* operator new(usize size, std::nothrow_t const&) noexcept { return heap_allocate(size); }
void* operator new[](usize size, std::nothrow_t const&) noexcept { return heap_allocate(size); }
void* operator new(usize size, std::align_val_t alignment, std::nothrow_t const&) noexcept
{
    VERIFY(static_cast<usize>(alignment) <= 16);
    return heap_allocate(size);
}
// Plain new is for objects the kernel cannot run without; everything else uses nothrow.
void* operator new(usize size)
{
    void* p = heap_allocate(size);
    if (!p)
        PANIC("kernel heap exhausted allocating %zu bytes", size);
    return p;
}
void* operator new[](usize size) { return operator new(size); }
void operator delete(void* p) noexcept { heap_free(p); }
void operator delete(void* p, usize) noexcept { heap_free(p); }
void operator delete[](void* p) noexcept { heap_free(p); }
void operator delete[](void* p, usize) noexcept { heap_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { heap_free(p); }
void operator delete(void* p, usize, std::align_val_t) noexcept { heap_free(p); }

extern "C" {

void* memcpy(void* destination, void const* source, usize n)
{
    asm volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(n) : : "memory");
    return destination;
}

void* memmove(void* destination, void const* source, usize n)
{
    auto* d = static_cast<u8*>(destination);
    auto const* s = static_cast<u8 const*>(source);
    if (d < s || d >= s + n)
        return memcpy(destination, source, n);
    for (usize i = n; i > 0; --i)
        d[i - 1] = s[i - 1];
    return destination;
}

void* memset(void* destination, int value, usize n)
{
    void* d = destination;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
    return destination;
}

int memcmp(void const* a, void const* b, usize n)
{
    auto const* x = static_cast<u8 const*>(a);
    auto const* y = static_cast<u8 const*>(b);
    for (usize i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize strlen(char const* s)
{
    usize n = 0;
    while (s[n])
        ++n;
    return n;
}

int strcmp(char const* a, char const* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(char const* a, char const* b, usize n)
{
    for (usize i = 0; i < n; ++i) {
        if (a[i] != b[i] || !a[i])
            return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
    }
    return 0;
}

void __cxa_pure_virtual() { PANIC("pure virtual function called"); }
void abort() { PANIC("abort() called"); }
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; } // the kernel never exits
int atexit(void (*)()) { return 0; }
void* __dso_handle = nullptr;
}

using Constructor = void (*)();
extern "C" Constructor __init_array_start[], __init_array_end[];

void run_global_constructors()
{
    for (Constructor* c = __init_array_start; c != __init_array_end; ++c)
        (*c)();
}
