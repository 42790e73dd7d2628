// Process groups and sessions, the frame of job control. A session is what one login (one
// terminal) started; inside it, a process group is one job — a shell puts every process of a
// pipeline in one group so that ^C or kill(-pgid) reaches the whole job and nothing else.
//
//   session 7 (leader: the shell, pid 7)
//     ├── group 7: the shell
//     ├── group 9: `cat f | grep x` → pids 9, 10
//     └── group 12: `sleep 100 &` → pid 12
//
// A group's id is its first member's pid, a session's its leader's. The ids live in each
// Process (process.h); a group exists as long as a process carries its id.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class Process;

// setpgid(pid, pgid) called by `caller`, with Linux's rules: pid 0 = the caller, pgid 0 =
// pid; the target must be the caller or a child of it (ESRCH) in the same session (EPERM)
// that has not run execve (EACCES), not a session leader (EPERM); a group it joins must
// exist in the caller's session (EPERM); a negative pgid is EINVAL.
Result<void> set_process_group(Process& caller, i32 pid, i32 pgid);
// setsid(): a new session and group led by the caller; EPERM if a group with the caller's
// pid exists (a group leader cannot leave its group). Returns the new session id.
Result<u32> start_session(Process& caller);
// The process `pid` names for getpgid/getsid (0 = the caller), or ESRCH.
Result<Process*> process_for_query(Process& caller, i32 pid);
// Calls `visit` for every process of group `group`, zombies included (they belong to it
// until reaped); returns how many.
usize for_each_in_process_group(u32 group, FunctionRef<void(Process&)> visit);
// Sends `signal` from the kernel (SI_KERNEL) to every member of `group`.
void signal_process_group(u32 group, int signal);

// Orphaned process groups (orphaned_group.h). Whether `group` is orphaned, with `leaving`
// (a process on its way out) left out: Linux's will_become_orphaned_pgrp.
bool process_group_orphaned(u32 group, Process const* leaving = nullptr);
// When a process exits, two kinds of group may become orphaned (Linux's kill_orphaned_pgrp):
// each child's, once the child went to init from `former_parent`, the parent that linked it
// to the session; and the exiting process's own, if it was the last member with a parent
// outside. One that does while a member is stopped gets SIGHUP then SIGCONT.
void hang_up_if_orphaned_by_reparenting(Process& child, Process& former_parent);
void hang_up_if_orphaned_by_exit(Process& exiting);
