#include "rtc.h"
#include "kernel/arch/x86_64/cpu.h"

namespace {

u8 read_register(u8 index)
{
    cpu::out8(0x70, index);
    return cpu::in8(0x71);
}

u64 from_bcd(u8 value, bool is_bcd) { return is_bcd ? (value & 0x0F) + (value >> 4) * 10 : value; }

// Days from 1970-01-01 to the given civil date (proleptic Gregorian calendar).
u64 days_since_epoch(u64 year, u64 month, u64 day)
{
    if (month <= 2) {
        year -= 1;
        month += 12;
    }
    u64 era_days = 365 * year + year / 4 - year / 100 + year / 400;
    return era_days + (153 * (month - 3) + 2) / 5 + day - 719469;
}

}

u64 rtc_read_unix_seconds()
{
    while (read_register(0x0A) & 0x80)
        cpu::pause(); // update in progress
    bool is_bcd = !(read_register(0x0B) & 0x04);
    u64 second = from_bcd(read_register(0x00), is_bcd);
    u64 minute = from_bcd(read_register(0x02), is_bcd);
    u64 hour = from_bcd(read_register(0x04), is_bcd);
    u64 day = from_bcd(read_register(0x07), is_bcd);
    u64 month = from_bcd(read_register(0x08), is_bcd);
    u64 year = 2000 + from_bcd(read_register(0x09), is_bcd);
    return days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}
