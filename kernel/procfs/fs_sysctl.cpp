#include "fs_sysctl.h"
#include "kernel/fs/file_lock.h"
#include "kernel/fs/pipe_limits.h"
#include "sysctl_number.h"

void fill_pipe_max_size(TextBuilder& out, Process&) { out.append("%lu\n", pipe_limits().max_size); }
void fill_pipe_user_pages_soft(TextBuilder& out, Process&) { out.append("%lu\n", pipe_limits().user_pages_soft); }
void fill_pipe_user_pages_hard(TextBuilder& out, Process&) { out.append("%lu\n", pipe_limits().user_pages_hard); }

Result<void> set_pipe_max_size(char const* text, usize length)
{
    u64 pages = pipe_pages_for(TRY(parse_sysctl_number(text, length)));
    if (pages == 0)
        return Errno::Invalid;
    pipe_limits().max_size = pages * PAGE_SIZE;
    return {};
}

Result<void> set_pipe_user_pages_soft(char const* text, usize length)
{
    pipe_limits().user_pages_soft = TRY(parse_sysctl_number(text, length));
    return {};
}

Result<void> set_pipe_user_pages_hard(char const* text, usize length)
{
    pipe_limits().user_pages_hard = TRY(parse_sysctl_number(text, length));
    return {};
}

void fill_lease_break_time(TextBuilder& out, Process&) { out.append("%d\n", lease_break_seconds()); }

Result<void> set_lease_break_time(char const* text, usize length)
{
    bool negative = false;
    u64 value = TRY(parse_sysctl_number(text, length, &negative));
    if (value > (negative ? u64(0x80000000) : u64(0x7fffffff)))
        return Errno::Invalid;
    lease_break_seconds() = negative ? static_cast<i32>(-static_cast<i64>(value)) : static_cast<i32>(value);
    return {};
}
