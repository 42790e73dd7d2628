// The terminal's job control, on the process side: which session the console controls,
// which of its process groups is in the foreground (tcsetpgrp), who gets ^C's signals,
// and what a background process that reads the terminal gets (SIGTTIN), or writes to it
// with TOSTOP set or changes its modes (SIGTTOU). The console
// (fs/console.h) keeps the numbers; the rules, which need processes, are here.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class Process;

// Installs the console's signal hook: ^C, ^\ and ^Z signal the foreground group.
void terminal_initialize();
// TIOCSPGRP (tcsetpgrp): `group` must be a group of the caller's session, which the terminal
// must be the controlling terminal of (ENOTTY otherwise; EPERM, ESRCH, EINVAL as Linux).
Result<void> set_foreground_group(Process& caller, i32 group);
// TIOCSCTTY: a session leader without a terminal takes the console as its controlling one
// (EPERM if not a leader, or if the console belongs to another session and `steal` is not 1).
Result<void> take_controlling_terminal(Process& caller, int steal);
// TIOCNOTTY: the caller's session gives the console up (ENOTTY if it is not its terminal).
Result<void> give_up_controlling_terminal(Process& caller);
// Linux's tty_check_change, before a read of the terminal (SIGTTIN) or a write with TOSTOP
// and a change of its modes or foreground (SIGTTOU), by a process of a background group of
// the terminal's session: its group gets the signal and the call restarts once continued
// (RestartSys). If the process ignores or blocks the signal, a read gets EIO and anything
// else goes ahead; an orphaned group (orphaned_group.h) gets EIO.
Result<void> check_terminal_access(Process& caller, int signal);
// The controlling process (the session leader) exits: the foreground group gets SIGHUP and
// the terminal belongs to no session any more (Linux's disassociate_ctty on exit, for a
// pseudo-terminal: what a terminal emulator's shell sees).
void controlling_process_exited(Process& leader);
