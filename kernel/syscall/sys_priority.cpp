// Nice values: getpriority and setpriority. Each thread has one (Thread::nice, -20..19),
// inherited by the threads and processes it creates and kept across execve. Pagoda's
// scheduler takes threads in turn and does not weigh them by it (yet): the value is kept,
// shown (getpriority, /proc/<pid>/stat) and permission-checked as on Linux.
#include "handlers.h"
#include "kernel/proc/resource_limits.h"

namespace {

constexpr int PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;
constexpr int MIN_NICE = -20, MAX_NICE = 19;

// Calls `each` for every living thread `which`/`who` names: the thread `who` (0: the
// caller), every thread of the process group `who` (0: the caller's), or every thread of
// the processes whose real uid is `who` (0: the caller's real uid).
template<typename Each> void for_each_target(int which, u32 who, Each each)
{
    Process& self = current_process();
    if (which == PRIO_PROCESS) {
        Process* owner = &self;
        Thread* thread = who ? find_any_thread(who, &owner) : current_thread();
        if (thread)
            each(*owner, *thread);
        return;
    }
    u32 group = who ? who : self.process_group();
    u32 uid = who ? who : self.credentials.uid;
    for_each_process([&](Process& process) {
        if (process.state() == Process::State::Zombie)
            return;
        if (which == PRIO_PGRP ? process.process_group() != group : process.credentials.uid != uid)
            return;
        process.for_each_thread([&](Thread& thread) { each(process, thread); });
    });
}

// Linux's set_one_prio: the caller's effective uid must be the target's real or effective
// uid (or root's); lowering a nice value needs room under RLIMIT_NICE (20 - nice) or root.
Result<void> set_one(Process& process, Thread& thread, int nice)
{
    Credentials const& caller = current_process().credentials;
    Credentials const& target = process.credentials;
    if (caller.euid != target.uid && caller.euid != target.euid && !caller.is_privileged())
        return Errno::NotPermitted;
    bool lowers = nice < thread.nice;
    if (lowers && static_cast<u64>(20 - nice) > process.limits.soft(RLIMIT_NICE) && !caller.is_privileged())
        return Errno::Access;
    thread.nice = nice;
    return {};
}

}

// The raw system call returns 20 - nice (1..40), the highest among the targets; the C
// library turns it back into a nice value.
Result<i64> sys_getpriority(int which, int who)
{
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return Errno::Invalid;
    i64 best = -1;
    for_each_target(which, static_cast<u32>(who), [&](Process&, Thread& thread) { best = max<i64>(best, 20 - thread.nice); });
    if (best < 0)
        return Errno::NoProcess;
    return best;
}

// Every target is tried; the result is ESRCH if there was none, else the last refusal, else 0.
Result<i64> sys_setpriority(int which, int who, int nice)
{
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return Errno::Invalid;
    nice = min(max(nice, MIN_NICE), MAX_NICE);
    bool found = false;
    Result<void> outcome {};
    for_each_target(which, static_cast<u32>(who), [&](Process& process, Thread& thread) {
        found = true;
        Result<void> one = set_one(process, thread, nice);
        if (one.is_error())
            outcome = one;
    });
    if (!found)
        return Errno::NoProcess;
    TRY(outcome);
    return 0;
}
