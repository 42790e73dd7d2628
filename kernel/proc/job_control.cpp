#include "job_control.h"
#include "process.h"
#include "signal.h"

namespace {

constexpr u64 SA_NOCLDSTOP = 1;

u64 bit(int signal) { return 1ull << (signal - 1); }
constexpr u64 STOP_SIGNALS
    = (1ull << (SIGSTOP - 1)) | (1ull << (SIGTSTP - 1)) | (1ull << (SIGTTIN - 1)) | (1ull << (SIGTTOU - 1));

// Takes `signals` off the process's pending set and every thread's.
void discard_pending(Process& process, u64 signals)
{
    process.pending.discard(signals);
    process.for_each_thread([&](Thread& thread) { thread.pending.discard(signals); });
}

}

bool is_stop_signal(int signal) { return signal >= 1 && signal <= SIGNAL_COUNT && (STOP_SIGNALS & bit(signal)); }

void prepare_job_signal(Process& process, int signal)
{
    if (signal == SIGCONT)
        continue_process(process);
    else if (is_stop_signal(signal))
        discard_pending(process, bit(SIGCONT));
}

void notify_parent(Process& child, int code, int status)
{
    Process* parent = child.parent();
    if (!parent)
        return;
    bool stop_or_continue = code == CLD_STOPPED || code == CLD_CONTINUED;
    if (!(stop_or_continue && (parent->signal_actions[SIGCHLD - 1].flags & SA_NOCLDSTOP)))
        (void)send_signal(*parent, SIGCHLD, SignalSender { code, child.pid(), static_cast<u64>(status), child.credentials.uid });
    parent->child_state_changed.wake_all();
}

void stop_process(Process& process, int signal)
{
    discard_pending(process, bit(SIGCONT));
    if (process.job.stopped)
        return;
    process.job.stopped = true;
    process.job.stop_signal = signal;
    process.job.report = Process::ChildReport::Stopped;
    update_signal_interrupt(process); // the other threads come to the stop point
    notify_parent(process, CLD_STOPPED, signal);
}

void continue_process(Process& process)
{
    discard_pending(process, STOP_SIGNALS);
    if (!process.job.stopped)
        return;
    process.job.stopped = false;
    process.job.report = Process::ChildReport::Continued;
    process.job.continued.wake_all();
    notify_parent(process, CLD_CONTINUED, SIGCONT);
}

void wait_while_stopped(Process& process, Thread& thread)
{
    while (process.job.stopped && !thread.fatal_interrupt_pending())
        process.job.continued.wait_killable();
}
