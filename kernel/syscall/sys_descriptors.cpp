// The calls that work on the descriptor table itself rather than on a file: dup, dup2,
// dup3 and close_range (fcntl's F_DUPFD and F_SETFD are in sys_file.cpp, with its other
// commands).
#include "handlers.h"
#include "kernel/fs/fd_table.h"
#include "kernel/lib/log.h"

Result<i64> sys_dup(int fd)
{
    FdTable& table = current_process().fds();
    auto file = TRY(table.get_even_if_path_only(fd));
    return TRY(table.allocate(file, false));
}

Result<i64> sys_dup3(int old_fd, int new_fd, int flags)
{
    if (flags & ~O_CLOEXEC || old_fd == new_fd)
        return Errno::Invalid;
    FdTable& table = current_process().fds();
    auto file = TRY(table.get_even_if_path_only(old_fd));
    if (new_fd < 0 || new_fd >= table.limit())
        return Errno::BadFd;
    TRY(table.install(new_fd, file, flags & O_CLOEXEC));
    return new_fd;
}

// close_range(first, last, flags): closes, or with CLOSE_RANGE_CLOEXEC marks close-on-exec,
// every open descriptor in [first, last]; ~0U as `last` means all the rest.
// CLOSE_RANGE_UNSHARE first gives the caller a table of its own (one another process shares
// through CLONE_FILES is copied); a process's threads all share one table here, so with
// other threads Pagoda cannot split it (refused, EINVAL, logged).
Result<i64> sys_close_range(u32 first, u32 last, u32 flags)
{
    constexpr u32 CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;
    if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last)
        return Errno::Invalid;
    Process& process = current_process();
    if ((flags & CLOSE_RANGE_UNSHARE) && process.thread_count() > 1) {
        klog("pid %u: close_range CLOSE_RANGE_UNSHARE with other threads is not supported: EINVAL", process.pid());
        return Errno::Invalid;
    }
    if (flags & CLOSE_RANGE_UNSHARE)
        TRY(process.unshare_fds());
    FdTable& table = process.fds();
    u32 end = min<u32>(last, static_cast<u32>(table.capacity()) - 1);
    for (u64 fd = first; table.capacity() > 0 && fd <= end; ++fd) {
        if (table.get_even_if_path_only(static_cast<int>(fd)).is_error())
            continue;
        if (flags & CLOSE_RANGE_CLOEXEC)
            table.set_close_on_exec(static_cast<int>(fd), true);
        else
            (void)table.close(static_cast<int>(fd));
    }
    return 0;
}

Result<i64> sys_dup2(int old_fd, int new_fd)
{
    if (old_fd == new_fd) {
        TRY(current_process().fds().get_even_if_path_only(old_fd));
        return new_fd;
    }
    return sys_dup3(old_fd, new_fd, 0);
}
