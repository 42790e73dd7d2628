#include "local_apic.h"
#include "cpu.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/log.h"
#include "kernel_memory.h"
#include "per_cpu.h"
#include "timer.h"

namespace {

// Register offsets (each a 32-bit register on a 16-byte boundary).
constexpr u32 REG_ID = 0x20;
constexpr u32 REG_TASK_PRIORITY = 0x80;
constexpr u32 REG_EOI = 0xB0;
constexpr u32 REG_SPURIOUS = 0xF0;
constexpr u32 REG_ERROR_STATUS = 0x280;
constexpr u32 REG_COMMAND_LOW = 0x300;
constexpr u32 REG_COMMAND_HIGH = 0x310;
constexpr u32 REG_TIMER_VECTOR = 0x320; // the LVT timer entry
constexpr u32 REG_TIMER_INITIAL_COUNT = 0x380;
constexpr u32 REG_TIMER_CURRENT_COUNT = 0x390;
constexpr u32 REG_TIMER_DIVIDE = 0x3E0;

constexpr u32 SPURIOUS_APIC_ENABLE = 1 << 8;
constexpr u32 COMMAND_DELIVERY_PENDING = 1 << 12;
constexpr u32 COMMAND_LEVEL_ASSERT = 1 << 14;
constexpr u32 DELIVERY_FIXED = 0 << 8, DELIVERY_INIT = 5 << 8, DELIVERY_STARTUP = 6 << 8;

constexpr u32 TIMER_MASKED = 1 << 16; // mode bits 17-18 clear: one-shot
constexpr u32 TIMER_DIVIDE_BY_16 = 0x3;

u32 volatile* g_registers;
u64 g_timer_counts_per_second; // at divide-by-16

u32 read(u32 offset) { return g_registers[offset / 4]; }
void write(u32 offset, u32 value) { g_registers[offset / 4] = value; }

void delay_microseconds(u64 microseconds)
{
    u64 until = monotonic_nanoseconds() + microseconds * 1000;
    while (monotonic_nanoseconds() < until)
        cpu::pause();
}

// Writes the interrupt command register (destination first: writing the low half sends)
// and waits until the local APIC has handed the message on.
void send_command(u8 apic_id, u32 command)
{
    write(REG_COMMAND_HIGH, u32(apic_id) << 24);
    write(REG_COMMAND_LOW, command);
    while (read(REG_COMMAND_LOW) & COMMAND_DELIVERY_PENDING)
        cpu::pause();
}

}

void local_apic_map(u64 physical)
{
    g_registers = static_cast<u32 volatile*>(map_device_memory(physical, PAGE_SIZE));
    VERIFY(g_registers);
}

void local_apic_enable_this_cpu()
{
    write(REG_TASK_PRIORITY, 0);
    write(REG_SPURIOUS, SPURIOUS_APIC_ENABLE | LOCAL_APIC_SPURIOUS_VECTOR);
    // The error status register is cleared by writing it (twice, as the SDM advises).
    write(REG_ERROR_STATUS, 0);
    write(REG_ERROR_STATUS, 0);
    write(REG_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
    this_cpu().apic_id = local_apic_id();
}

u8 local_apic_id() { return read(REG_ID) >> 24; }

void local_apic_end_of_interrupt() { write(REG_EOI, 0); }

void local_apic_start_cpu(u8 apic_id, u64 start_page)
{
    VERIFY(is_page_aligned(start_page) && start_page < 0x100000);
    send_command(apic_id, DELIVERY_INIT | COMMAND_LEVEL_ASSERT);
    delay_microseconds(10000);
    for (int i = 0; i < 2; ++i) {
        send_command(apic_id, DELIVERY_STARTUP | u32(start_page >> 12));
        delay_microseconds(200);
    }
}

void local_apic_calibrate_timer()
{
    constexpr u64 SAMPLE_NS = 10000000;
    write(REG_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
    write(REG_TIMER_VECTOR, TIMER_MASKED | LOCAL_TIMER_VECTOR);
    write(REG_TIMER_INITIAL_COUNT, 0xFFFFFFFF);
    // Each end reads the count, then the clock, back to back: a one-shot deadline is only
    // as exact as this rate (1% off is 10 us late in a 1 ms sleep).
    u32 first_count = read(REG_TIMER_CURRENT_COUNT);
    u64 start = monotonic_nanoseconds();
    while (monotonic_nanoseconds() - start < SAMPLE_NS)
        cpu::pause();
    u32 last_count = read(REG_TIMER_CURRENT_COUNT);
    u64 end = monotonic_nanoseconds();
    write(REG_TIMER_INITIAL_COUNT, 0);
    g_timer_counts_per_second = u64(first_count - last_count) * 1000000000 / (end - start);
    klog("local APIC timer: %lu counts a second (divide by 16), one-shot", g_timer_counts_per_second);
}

void local_apic_timer_fire_in(u64 nanoseconds)
{
    constexpr u64 MAX_COUNT = 0xFFFFFFFF;
    u64 counts = static_cast<u64>(static_cast<unsigned __int128>(nanoseconds) * g_timer_counts_per_second / 1000000000);
    write(REG_TIMER_VECTOR, LOCAL_TIMER_VECTOR);
    write(REG_TIMER_INITIAL_COUNT, static_cast<u32>(min(max<u64>(counts, 1), MAX_COUNT)));
}

void local_apic_send_ipi(u8 apic_id, u8 vector) { send_command(apic_id, DELIVERY_FIXED | COMMAND_LEVEL_ASSERT | vector); }
