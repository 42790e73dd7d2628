// Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid (kernel/proc/session.h).
#include "handlers.h"
#include "kernel/proc/session.h"

Result<i64> sys_setpgid(int pid, int pgid)
{
    TRY(set_process_group(current_process(), pid, pgid));
    return 0;
}

Result<i64> sys_getpgid(int pid) { return TRY(process_for_query(current_process(), pid))->process_group(); }

Result<i64> sys_getpgrp() { return current_process().process_group(); }

Result<i64> sys_setsid() { return TRY(start_session(current_process())); }

Result<i64> sys_getsid(int pid) { return TRY(process_for_query(current_process(), pid))->session(); }
