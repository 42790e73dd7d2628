// The terminal's job control, on the process side: which session the console controls,
// which of its process groups is in the foreground (tcsetpgrp), who gets ^C's signals,
// and what a background process that reads the terminal gets (SIGTTIN). The console
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
// Before a read of the terminal: a process of a background group of the terminal's session
// gets SIGTTIN (its group does) and the read restarts once it is continued; EIO if SIGTTIN is
// ignored or blocked, or the group is orphaned, as Linux.
Result<void> check_terminal_read(Process& reader);
