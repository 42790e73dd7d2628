// RLIMIT_SIGPENDING: how many signals may wait, queued with their senders, for one user.
// Linux counts every queue entry of every process and thread whose real user is the
// receiver's (a standard signal takes one while it is pending with its sender, a real-time
// one one per send) and compares the count with the receiver's soft limit.
//
// What takes no entry, as on Linux: a standard signal already pending (no second entry).
// Never refused: SIGKILL, and a POSIX timer's signal, whose entry Linux charges once, when
// the timer is created (timer_create's EAGAIN); Pagoda charges it only while it is pending.
#pragma once

#include "kernel/lib/pending_signals.h"

class Process;

// Whether `signal` from `from` may take a new entry in `set`, which belongs to `target` or
// one of its threads (PendingSignals::add says what happens without room).
QueueRoom signal_queue_room(Process& target, PendingSignals const& set, int signal, SignalSender const& from);

// The entries queued for processes (not zombies) and threads whose real user is `uid`.
u64 signals_queued_for_user(u32 uid);
