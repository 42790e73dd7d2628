#include "inode_attributes.h"
#include "kernel/dev/clock.h"

namespace {
constexpr u64 NS = 1000000000;

bool not_after(FileTime a, FileTime b)
{
    return a.seconds < b.seconds || (a.seconds == b.seconds && a.nanoseconds <= b.nanoseconds);
}
}

FileTime file_time_now()
{
    u64 now = realtime_nanoseconds();
    return FileTime { static_cast<i64>(now / NS), static_cast<u32>(now % NS) };
}

bool relatime_wants_update(FileTime atime, FileTime mtime, FileTime ctime, FileTime now)
{
    constexpr i64 DAY = 24 * 60 * 60;
    return not_after(atime, mtime) || not_after(atime, ctime) || now.seconds - atime.seconds >= DAY;
}
