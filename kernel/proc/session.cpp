#include "session.h"
#include "orphaned_group.h"
#include "process.h"
#include "signal.h"

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

void signal_process_group(u32 group, int signal)
{
    for_each_in_process_group(group, [&](Process& member) { (void)send_signal(member, signal, SignalSender {}); });
}

bool process_group_orphaned(u32 group, Process const* leaving)
{
    return group_is_orphaned(group, [&](FunctionRef<void(GroupMemberView const&)> visit) {
        for_each_in_process_group(group, [&](Process& member) {
            Process* parent = member.parent();
            visit(GroupMemberView {
                .session = member.session(),
                .leaving = &member == leaving || member.state() == Process::State::Zombie,
                .has_parent = parent != nullptr,
                .parent_group = parent ? parent->process_group() : 0,
                .parent_session = parent ? parent->session() : 0,
            });
        });
    });
}

namespace {

bool has_stopped_member(u32 group)
{
    bool stopped = false;
    for_each_in_process_group(group, [&](Process& member) { stopped |= member.job.stopped; });
    return stopped;
}

// `link` was the parent that tied `member`'s group to its session (another group, the same
// session); if nothing else does now, the group is orphaned.
void hang_up_if_orphaned(Process& member, Process& link, Process const* leaving)
{
    u32 group = member.process_group();
    if (link.process_group() == group || link.session() != member.session())
        return; // that parent did not link the group to anything
    if (!process_group_orphaned(group, leaving) || !has_stopped_member(group))
        return;
    signal_process_group(group, SIGHUP);
    signal_process_group(group, SIGCONT);
}

}

void hang_up_if_orphaned_by_reparenting(Process& child, Process& former_parent)
{
    if (child.state() != Process::State::Zombie)
        hang_up_if_orphaned(child, former_parent, nullptr);
}

void hang_up_if_orphaned_by_exit(Process& exiting)
{
    if (exiting.parent())
        hang_up_if_orphaned(exiting, *exiting.parent(), &exiting);
}
