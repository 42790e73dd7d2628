#include "signal.h"
#include "kernel/log.h"
#include "process.h"
#include "scheduler.h"

namespace {

bool ignored_by_default(int signal)
{
    return signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH || signal == SIGCONT;
}

// Whether `signal`, pending in `process`, will do anything (not ignored).
bool takes_effect(Process& process, int signal)
{
    if (signal == SIGKILL || signal == SIGSTOP)
        return true;
    u64 handler = process.signal_actions[signal - 1].handler;
    if (handler == SIG_IGN)
        return false;
    if (handler == SIG_DFL && ignored_by_default(signal))
        return false;
    return true;
}

}

char const* signal_name(int signal)
{
    static char const* const names[] = { "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };
    return signal >= 0 && signal < 32 ? names[signal] : "a real-time signal";
}

void deliver_fault_signal(TrapFrame& frame, int signal, u64 address)
{
    Process& process = current_process();
    klog("pid %u (%s) killed by %s: address %lx, rip %lx", process.pid(), process.executable_path(), signal_name(signal),
        address, frame.rip);
    process.exit(wait_status_signaled(signal));
}

Result<void> send_signal(Process& target, int signal)
{
    if (signal < 0 || signal > SIGNAL_COUNT)
        return Errno::Invalid;
    if (signal == 0 || target.state() == Process::State::Zombie)
        return {}; // existence check, or a zombie: nothing to do
    if (!takes_effect(target, signal))
        return {};
    target.pending_signals |= 1ull << (signal - 1);
    if (Thread* thread = target.main_thread())
        wake_up(*thread); // a blocked thread returns EINTR and acts on the signal
    return {};
}

bool signal_pending()
{
    Process& process = current_process();
    u64 deliverable = process.pending_signals & ~process.signal_mask;
    deliverable |= process.pending_signals & (1ull << (SIGKILL - 1));
    return deliverable != 0;
}

void handle_pending_signals()
{
    if (!signal_pending())
        return;
    Process& process = current_process();
    u64 pending = process.pending_signals & ~process.signal_mask;
    pending |= process.pending_signals & (1ull << (SIGKILL - 1));
    int signal = __builtin_ctzll(pending) + 1;
    if (pending & (1ull << (SIGKILL - 1)))
        signal = SIGKILL;
    process.pending_signals &= ~(1ull << (signal - 1));
    // Every signal that takes effect terminates: handlers are not run yet (see signal.h).
    process.exit(wait_status_signaled(signal));
}
