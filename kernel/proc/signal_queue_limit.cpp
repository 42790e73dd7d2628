#include "signal_queue_limit.h"
#include "kernel/sched/thread.h"
#include "posix_timer.h"
#include "process.h"
#include "resource_limits.h"

u64 signals_queued_for_user(u32 uid)
{
    u64 count = 0;
    for_each_process([&](Process& process) {
        // A zombie's signals will never be taken: Linux has flushed them at its exit.
        if (process.credentials.uid != uid || process.state() == Process::State::Zombie)
            return;
        count += process.pending.entries();
        process.for_each_thread([&](Thread& thread) { count += thread.pending.entries(); });
    });
    return count;
}

QueueRoom signal_queue_room(Process& target, PendingSignals const& set, int signal, SignalSender const& from)
{
    // No count needed where the answer cannot matter: no new entry, or a standard signal
    // from kill() or the kernel, which takes one past the limit too (PendingSignals::add).
    if (!set.needs_entry(signal) || signal == SIGKILL || from.code == SI_TIMER || (signal < SIGRTMIN && from.code >= 0))
        return QueueRoom::Available;
    u64 limit = target.limits.soft(RLIMIT_SIGPENDING);
    if (limit == RLIM_INFINITY)
        return QueueRoom::Available;
    return signals_queued_for_user(target.credentials.uid) < limit ? QueueRoom::Available : QueueRoom::Exhausted;
}
