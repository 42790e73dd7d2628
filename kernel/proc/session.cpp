#include "session.h"
#include "process.h"

namespace {

// A zombie still belongs to its group until it is reaped, as on Linux.
Process* member_of(u32 group)
{
    Process* member = nullptr;
    for_each_process([&](Process& process) {
        if (!member && process.process_group() == group)
            member = &process;
    });
    return member;
}

}

Result<Process*> process_for_query(Process& caller, i32 pid)
{
    if (pid == 0)
        return &caller;
    Process* process = pid > 0 ? find_process(static_cast<u32>(pid)) : nullptr;
    if (!process)
        return Errno::NoProcess;
    return process;
}

Result<void> set_process_group(Process& caller, i32 pid, i32 pgid)
{
    if (pgid < 0)
        return Errno::Invalid;
    Process* target = TRY(process_for_query(caller, pid));
    if (target->state() == Process::State::Zombie)
        return Errno::NoProcess;
    if (target != &caller) {
        if (target->parent() != &caller)
            return Errno::NoProcess;
        if (target->session() != caller.session())
            return Errno::NotPermitted;
        if (target->has_exec_run())
            return Errno::Access;
    }
    if (target->session() == target->pid())
        return Errno::NotPermitted; // a session leader stays in its own group
    u32 group = pgid == 0 ? target->pid() : static_cast<u32>(pgid);
    if (group != target->pid()) {
        Process* member = member_of(group);
        if (!member || member->session() != caller.session())
            return Errno::NotPermitted;
    }
    target->set_process_group(group);
    return {};
}

Result<u32> start_session(Process& caller)
{
    if (member_of(caller.pid()))
        return Errno::NotPermitted;
    caller.set_session(caller.pid());
    caller.set_process_group(caller.pid());
    return caller.pid();
}

usize for_each_in_process_group(u32 group, FunctionRef<void(Process&)> visit)
{
    usize count = 0;
    for_each_process([&](Process& process) {
        if (process.process_group() != group)
            return;
        ++count;
        visit(process);
    });
    return count;
}
