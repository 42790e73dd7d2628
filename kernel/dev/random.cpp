#include "random.h"
#include "kernel/arch/x86_64/cpu.h"

namespace {

u64 g_state = 0x9E3779B97F4A7C15;

bool cpu_has_rdrand()
{
    u32 a, b, c, d;
    cpu::cpuid(1, 0, a, b, c, d);
    return c & (1 << 30);
}

u64 next_word()
{
    static bool has_rdrand = cpu_has_rdrand();
    u64 value = 0;
    if (has_rdrand) {
        unsigned char ok;
        asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
    }
    // xorshift64* over the TSC keeps the output varied even without RDRAND.
    g_state ^= cpu::read_tsc() + value;
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * 0x2545F4914F6CDD1D;
}

}

void random_fill(u8* buffer, usize length)
{
    for (usize i = 0; i < length; i += 8) {
        u64 word = next_word();
        for (usize j = 0; j < 8 && i + j < length; ++j)
            buffer[i + j] = static_cast<u8>(word >> (8 * j));
    }
}
