// Job control: stopping and continuing a whole process (all its threads), and telling its
// parent (SIGCHLD with CLD_STOPPED / CLD_CONTINUED, and wait4's WUNTRACED / WCONTINUED).
//
// A stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) whose action is the default stops the
// process when one of its threads takes it (signal.cpp); every other thread then comes to
// the same stop point on its way to user mode and sleeps there, killably, until SIGCONT —
// which continues the process the moment it is *sent*, whatever its action — or SIGKILL.
// A stop signal discards a pending SIGCONT, and SIGCONT discards pending stop signals.
#pragma once

#include "kernel/lib/signal_numbers.h"

class Process;
class Thread;

bool is_stop_signal(int signal);
// What sending `signal` does before it is made pending: SIGCONT continues a stopped process
// and discards pending stop signals, a stop signal discards a pending SIGCONT. (SIGKILL needs
// nothing here: its fatal interrupt ends the stopped threads' killable sleep.)
void prepare_job_signal(Process&, int signal);
// Called by the thread that took a stop signal: stops the process and tells the parent.
void stop_process(Process&, int signal);
// SIGCONT was sent: a stopped process runs again, and the parent hears of it.
void continue_process(Process&);
// The stop point: returns once the process is no longer stopped, or a fatal signal (SIGKILL)
// wants the thread.
void wait_while_stopped(Process&, Thread&);
// Child exit, stop or continue: SIGCHLD to the parent (unless it ignores it, or asked
// SA_NOCLDSTOP for stops and continues), with si_code, si_pid and si_status.
void notify_parent(Process& child, int code, int status);
constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;
// An ended child's si_code and si_status from its wait status: CLD_EXITED and the exit code,
// or CLD_KILLED (CLD_DUMPED with WCOREDUMP: core_dump.h) and the signal.
struct ChildExit {
    int code;
    int status;
};
constexpr ChildExit child_exit_of(int wait_status)
{
    if ((wait_status & 0x7f) == 0)
        return { CLD_EXITED, (wait_status >> 8) & 0xff };
    return { (wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED, wait_status & 0x7f };
}
