#include "resource_limits.h"
#include "kernel/fs/fd_table.h"
#include "kernel/lib/log.h"
#include "process.h"
#include "signal.h"

ResourceLimits::ResourceLimits()
{
    for (auto& limit : m_limits)
        limit = { RLIM_INFINITY, RLIM_INFINITY };
    // Linux's init_task values (include/asm-generic/resource.h).
    m_limits[RLIMIT_STACK] = { 8 * MiB, RLIM_INFINITY };
    m_limits[RLIMIT_CORE] = { 0, RLIM_INFINITY };
    m_limits[RLIMIT_NOFILE] = { FdTable::DEFAULT_LIMIT, FdTable::DEFAULT_HARD_LIMIT };
    m_limits[RLIMIT_MEMLOCK] = { 8 * MiB, 8 * MiB };
    m_limits[RLIMIT_MSGQUEUE] = { 819200, 819200 };
    m_limits[RLIMIT_NICE] = { 0, 0 };
    m_limits[RLIMIT_RTPRIO] = { 0, 0 };
}

Result<void> ResourceLimits::check_resource(int resource)
{
    if (resource < 0 || resource >= RLIMIT_COUNT)
        return Errno::Invalid;
    return {};
}

Result<void> ResourceLimits::set(int resource, ResourceLimit limit, bool privileged)
{
    TRY(check_resource(resource));
    if (limit.soft > limit.hard)
        return Errno::Invalid;
    if (limit.hard > m_limits[resource].hard && !privileged)
        return Errno::NotPermitted;
    if (resource == RLIMIT_NOFILE && limit.hard > static_cast<u64>(FdTable::MOST_EVER))
        return Errno::NotPermitted;
    if ((resource == RLIMIT_CPU || resource == RLIMIT_RTTIME) && limit.soft != RLIM_INFINITY)
        KLOG_ONCE("setrlimit(%s): kept but not enforced (no CPU-time accounting yet)", resource_name(resource));
    m_limits[resource] = limit;
    return {};
}

char const* resource_name(int resource)
{
    static char const* const names[RLIMIT_COUNT] = { "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
        "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
        "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME" };
    return resource >= 0 && resource < RLIMIT_COUNT ? names[resource] : "?";
}

Result<void> check_file_size_limit(Process& process, u64 old_size, u64 new_size)
{
    if (new_size <= old_size || new_size <= process.limits.soft(RLIMIT_FSIZE))
        return {};
    (void)send_signal(process, SIGXFSZ);
    return Errno::FileTooBig;
}

Result<u64> fit_file_size_limit(Process& process, u64 offset, u64 count)
{
    u64 limit = process.limits.soft(RLIMIT_FSIZE);
    if (count == 0 || limit == RLIM_INFINITY)
        return count;
    if (offset >= limit) {
        (void)send_signal(process, SIGXFSZ);
        return Errno::FileTooBig;
    }
    return min(count, limit - offset);
}
