#include "terminal.h"
#include "kernel/fs/console.h"
#include "process.h"
#include "session.h"
#include "signal.h"

namespace {

void signal_group(u32 group, int signal)
{
    for_each_in_process_group(group, [&](Process& member) { (void)send_signal(member, signal, SignalSender {}); });
}

bool controls(Process& process) { return Console::terminal().session() == process.session(); }

}

void terminal_initialize() { console_set_signal_hook(signal_group); }

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
        u32 foreground = Console::terminal().foreground_group();
        Console::terminal().set_session(~u32(0));
        Console::terminal().set_foreground_group(0);
        signal_group(foreground, SIGHUP);
        signal_group(foreground, SIGCONT);
    }
    return {};
}

Result<void> check_terminal_read(Process& reader)
{
    Console& console = Console::terminal();
    if (!controls(reader) || reader.process_group() == console.foreground_group())
        return {};
    Thread& thread = *current_thread();
    SignalAction const& action = reader.signal_actions[SIGTTIN - 1];
    bool blocked = thread.signal_mask & (1ull << (SIGTTIN - 1));
    if (action.handler == SIG_IGN || blocked)
        return Errno::IoError;
    signal_group(reader.process_group(), SIGTTIN);
    return Errno::RestartSys;
}
