#include "terminal.h"
#include "kernel/fs/console.h"
#include "process.h"
#include "session.h"
#include "signal.h"

namespace {

bool controls(Process& process) { return Console::terminal().session() == process.session(); }

// The terminal belongs to no session any more; returns the foreground group it had.
u32 disassociate()
{
    Console& console = Console::terminal();
    u32 foreground = console.foreground_group();
    console.set_session(~u32(0));
    console.set_foreground_group(0);
    return foreground;
}

}

void terminal_initialize() { console_set_signal_hook(signal_process_group); }

Result<void> set_foreground_group(Process& caller, i32 group)
{
    if (!controls(caller))
        return Errno::NotTty;
    if (group < 0)
        return Errno::Invalid;
    bool exists = false, same_session = true;
    for_each_in_process_group(static_cast<u32>(group), [&](Process& member) {
        exists = true;
        same_session &= member.session() == caller.session();
    });
    if (!exists)
        return Errno::NoProcess;
    if (!same_session)
        return Errno::NotPermitted;
    Console::terminal().set_foreground_group(static_cast<u32>(group));
    return {};
}

Result<void> take_controlling_terminal(Process& caller, int steal)
{
    Console& console = Console::terminal();
    if (controls(caller))
        return {};
    if (caller.session() != caller.pid())
        return Errno::NotPermitted; // only a session leader may
    bool taken = false;
    for_each_process([&](Process& other) { taken |= other.state() != Process::State::Zombie && controls(other); });
    if (taken && steal != 1)
        return Errno::NotPermitted;
    console.set_session(caller.session());
    console.set_foreground_group(caller.process_group());
    return {};
}

Result<void> give_up_controlling_terminal(Process& caller)
{
    if (!controls(caller))
        return Errno::NotTty;
    if (caller.session() == caller.pid()) {
        // The session leader lets go: its foreground group hears SIGHUP and SIGCONT.
        u32 foreground = disassociate();
        signal_process_group(foreground, SIGHUP);
        signal_process_group(foreground, SIGCONT);
    }
    return {};
}

Result<void> check_terminal_access(Process& caller, int signal)
{
    Console& console = Console::terminal();
    if (!controls(caller) || caller.process_group() == console.foreground_group())
        return {};
    Thread& thread = *current_thread();
    bool blocked = thread.signal_mask & (1ull << (signal - 1));
    if (caller.signal_actions[signal - 1].handler == SIG_IGN || blocked)
        return signal == SIGTTIN ? Result<void>(Errno::IoError) : Result<void> {};
    if (process_group_orphaned(caller.process_group()))
        return Errno::IoError; // nobody would continue it
    signal_process_group(caller.process_group(), signal);
    return Errno::RestartSys;
}

void controlling_process_exited(Process& leader)
{
    if (controls(leader))
        signal_process_group(disassociate(), SIGHUP); // SIGCONT only for TIOCNOTTY, as Linux's pty
}
