// Resource limits: getrlimit, setrlimit, prlimit64 (kernel/proc/resource_limits.h).
#include "handlers.h"
#include "kernel/proc/resource_limits.h"

namespace {

// Raising a hard limit needs CAP_SYS_RESOURCE on Linux, which a process has while its
// effective uid is 0 (see docs/permissions.md).
bool may_raise_hard_limits(Process& process) { return process.credentials.is_privileged(); }

// What a new limit changes at once: the descriptor table's bound, how far a MAP_GROWSDOWN
// mapping may grow.
void apply(Process& process, int resource)
{
    if (resource == RLIMIT_NOFILE) {
        u64 soft = process.limits.soft(RLIMIT_NOFILE);
        process.fds().set_limit(static_cast<int>(min<u64>(soft, FdTable::MOST_EVER)));
    }
    if (resource == RLIMIT_STACK || resource == RLIMIT_AS)
        process.apply_stack_growth_limits();
}

Result<void> set_limit(Process& process, int resource, UserAddress new_limit)
{
    auto wanted = TRY(read_user<ResourceLimit>(new_limit));
    TRY(process.limits.set(resource, wanted, may_raise_hard_limits(current_process())));
    apply(process, resource);
    return {};
}

}

Result<i64> sys_getrlimit(int resource, UserAddress limit)
{
    TRY(ResourceLimits::check_resource(resource));
    TRY(write_user(limit, current_process().limits.get(resource)));
    return 0;
}

Result<i64> sys_setrlimit(int resource, UserAddress limit)
{
    TRY(ResourceLimits::check_resource(resource));
    TRY(set_limit(current_process(), resource, limit));
    return 0;
}

// Linux reads the new limit before it looks up the process, and reports the old one only
// once the new one is in place.
Result<i64> sys_prlimit64(int pid, int resource, UserAddress new_limit, UserAddress old_limit)
{
    TRY(ResourceLimits::check_resource(resource));
    ResourceLimit wanted {};
    if (new_limit)
        wanted = TRY(read_user<ResourceLimit>(new_limit));
    Process* target = pid == 0 ? &current_process() : (pid > 0 ? find_process(static_cast<u32>(pid)) : nullptr);
    if (!target || target->state() == Process::State::Zombie)
        return Errno::NoProcess;
    Process& self = current_process();
    if (target != &self && !self.credentials.may_use_limits_of(target->credentials))
        return Errno::NotPermitted;
    ResourceLimit old = target->limits.get(resource);
    if (new_limit) {
        TRY(target->limits.set(resource, wanted, may_raise_hard_limits(self)));
        apply(*target, resource);
    }
    if (old_limit)
        TRY(write_user(old_limit, old));
    return 0;
}
