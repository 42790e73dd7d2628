// struct timespec as system calls pass it, and its one validity rule (EINVAL for a
// negative value or nanoseconds past a second).
#pragma once

#include "user_memory.h"

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

constexpr u64 NS = 1000000000;

inline Result<Timespec> read_timespec(UserAddress address)
{
    Timespec value = TRY(read_user<Timespec>(address));
    if (value.seconds < 0 || value.nanoseconds < 0 || value.nanoseconds >= static_cast<i64>(NS))
        return Errno::Invalid;
    return value;
}

inline u64 nanoseconds_of(Timespec const& t) { return static_cast<u64>(t.seconds) * NS + static_cast<u64>(t.nanoseconds); }
