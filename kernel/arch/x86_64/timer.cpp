#include "timer.h"
#include "cpu.h"

namespace {

constexpr u16 PIT_CHANNEL0 = 0x40, PIT_CHANNEL2 = 0x42, PIT_COMMAND = 0x43, PIT_GATE = 0x61;
constexpr u64 PIT_FREQUENCY = 1193182;

u64 g_tsc_at_boot;
u64 g_tsc_per_microsecond = 1000;

// Counts TSC ticks across 10 ms measured by PIT channel 2 (which needs no interrupt).
void calibrate_tsc()
{
    constexpr u64 calibration_hz = 100;
    u16 count = PIT_FREQUENCY / calibration_hz;
    cpu::out8(PIT_GATE, (cpu::in8(PIT_GATE) & ~0x02) | 0x01);
    cpu::out8(PIT_COMMAND, 0xB0); // channel 2, lobyte/hibyte, mode 0
    cpu::out8(PIT_CHANNEL2, count & 0xFF);
    cpu::out8(PIT_CHANNEL2, count >> 8);
    u64 start = cpu::read_tsc();
    while ((cpu::in8(PIT_GATE) & 0x20) == 0)
        cpu::pause();
    u64 ticks = cpu::read_tsc() - start;
    g_tsc_per_microsecond = max<u64>(ticks * calibration_hz / 1000000, 1);
}

}

void timer_initialize()
{
    g_tsc_at_boot = cpu::read_tsc();
    calibrate_tsc();
    // Mode 0 counts down once and then stays put: one last edge, then no more.
    cpu::out8(PIT_COMMAND, 0x30); // channel 0, lobyte/hibyte, mode 0 (interrupt on terminal count)
    cpu::out8(PIT_CHANNEL0, 1);
    cpu::out8(PIT_CHANNEL0, 0);
}

u64 monotonic_nanoseconds()
{
    u64 ticks = cpu::read_tsc() - g_tsc_at_boot;
    // Split to avoid overflowing 64 bits for long uptimes.
    u64 microseconds = ticks / g_tsc_per_microsecond;
    u64 remainder = ticks % g_tsc_per_microsecond;
    return microseconds * 1000 + remainder * 1000 / g_tsc_per_microsecond;
}

TscClock tsc_clock() { return { g_tsc_at_boot, g_tsc_per_microsecond }; }

u64 tsc_frequency_hz() { return g_tsc_per_microsecond * 1000000; }
