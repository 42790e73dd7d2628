// System calls about the calling thread: its id, its end, the words the C library asks the
// kernel to clear or release when it ends, and signals aimed at one thread.
#include "handlers.h"
#include "kernel/proc/signal.h"

Result<i64> sys_gettid() { return current_thread()->tid(); }

// exit(2) ends only the calling thread; exit_group (sys_process.cpp) ends them all.
Result<i64> sys_exit(int code) { current_process().exit_thread(*current_thread(), wait_status_exited(code)); }

Result<i64> sys_set_tid_address(UserAddress address)
{
    current_thread()->clear_child_tid = address;
    return current_thread()->tid();
}

// The robust list (struct robust_list_head, 24 bytes) is walked when the thread ends
// (thread_group.cpp): locks it still holds are marked FUTEX_OWNER_DIED.
Result<i64> sys_set_robust_list(UserAddress head, u64 length)
{
    if (length != 24)
        return Errno::Invalid;
    current_thread()->robust_list = head;
    return 0;
}

Result<i64> sys_get_robust_list(int tid, UserAddress head_out, UserAddress length_out)
{
    Thread* thread = current_thread();
    if (tid != 0) {
        thread = current_process().find_thread(static_cast<u32>(tid));
        if (!thread)
            return Errno::NoProcess; // other processes' threads: not looked up (no ptrace rights here)
    }
    TRY(write_user<u64>(head_out, thread->robust_list));
    TRY(write_user<u64>(length_out, 24));
    return 0;
}

Result<i64> sys_tgkill(int tgid, int tid, int signal)
{
    if (tgid <= 0 || tid <= 0)
        return Errno::Invalid;
    Process* process = find_process(static_cast<u32>(tgid));
    Thread* thread = process ? process->find_thread(static_cast<u32>(tid)) : nullptr;
    if (!thread)
        return Errno::NoProcess;
    TRY(check_kill_permission(current_process(), *process, signal));
    TRY(send_thread_signal(*process, *thread, signal));
    return 0;
}

Result<i64> sys_tkill(int tid, int signal)
{
    if (tid <= 0)
        return Errno::Invalid;
    Process* process = nullptr;
    Thread* thread = find_any_thread(static_cast<u32>(tid), &process);
    if (!thread)
        return Errno::NoProcess;
    TRY(check_kill_permission(current_process(), *process, signal));
    TRY(send_thread_signal(*process, *thread, signal));
    return 0;
}
