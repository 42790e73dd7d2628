// clone and clone3: one entry to three kinds of child, told apart by what they share.
//   nothing         fork (the C library's fork may pass thread-id bookkeeping flags)
//   VM | VFORK      posix_spawn's vfork on a stack of its own
//   VM | FS | FILES | SIGHAND | THREAD (| SYSVSEM)
//                   a thread of the caller's process (pthread_create)
// Linux's rules on which flags need which come first (EINVAL); any other combination is
// refused with EINVAL and one log line naming the flags.
#include "handlers.h"
#include "kernel/lib/log.h"
#include "kernel/proc/signal.h"

namespace {

constexpr u64 CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
              CLONE_PIDFD = 0x1000, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000,
              CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
              CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWUSER = 0x10000000;
// Flags that write or remember thread ids, or that Linux ignores: no sharing.
constexpr u64 BOOKKEEPING = CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED;
constexpr u64 THREAD_SHARING = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;

struct CloneRequest {
    u64 flags; // without the exit signal
    u64 exit_signal;
    u64 stack; // the new stack pointer, 0 = the caller's
    u64 parent_tid, child_tid, tls;
};

// The ids a clone writes: CLONE_PARENT_SETTID in the caller's memory, CLONE_CHILD_SETTID
// in the child's (the same memory for a thread or vfork), CLONE_CHILD_CLEARTID remembered.
void note_ids(CloneRequest const& request, Process& child, Thread& thread)
{
    i32 tid = static_cast<i32>(thread.tid());
    if (request.flags & CLONE_SETTLS)
        thread.fs_base = request.tls;
    if (request.flags & CLONE_CHILD_CLEARTID)
        thread.clear_child_tid = request.child_tid;
    if (request.flags & CLONE_PARENT_SETTID)
        (void)write_user<i32>(request.parent_tid, tid);
    if (request.flags & CLONE_CHILD_SETTID)
        (void)copy_to_user(child.address_space(), request.child_tid, &tid, sizeof tid);
}

Result<i64> clone_thread(CloneRequest const& request)
{
    Process& process = current_process();
    Thread& creator = *current_thread();
    Thread* thread = TRY(process.create_thread(creator, request.stack, creator.fs_base));
    note_ids(request, process, *thread);
    scheduler_add(*thread);
    return thread->tid();
}

Result<i64> clone_process(CloneRequest const& request, bool share_memory, bool share_files)
{
    Process& parent = current_process();
    Process* child = TRY(Process::create_child(parent, *current_thread(), share_memory, request.stack, share_files));
    i64 pid = child->pid();
    note_ids(request, *child, *child->first_thread());
    if (share_memory)
        child->wait_for_vfork_release();
    return pid;
}

Result<i64> refuse(CloneRequest const& request, char const* why)
{
    KLOG_ONCE("pid %u: clone flags %#lx (exit signal %lu) refused: %s: EINVAL", current_process().pid(), request.flags,
        request.exit_signal, why);
    return Errno::Invalid;
}

Result<i64> clone_with(CloneRequest const& request)
{
    u64 flags = request.flags;
    // Linux's own rules (copy_process), whatever Pagoda supports.
    if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)
        || (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
        return Errno::Invalid;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return Errno::Invalid;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return Errno::Invalid;

    u64 sharing = flags & ~BOOKKEEPING;
    if ((sharing & ~CLONE_SYSVSEM) == THREAD_SHARING)
        return clone_thread(request); // System V semaphores: there are none to share
    if (request.exit_signal != SIGCHLD && request.exit_signal != 0)
        return refuse(request, "a child's exit signal other than SIGCHLD");
    // A process may share its descriptor table (CLONE_FILES) with a fork or vfork child.
    bool share_files = sharing & CLONE_FILES;
    sharing &= ~CLONE_FILES;
    if (sharing == 0)
        return clone_process(request, false, share_files);
    if (sharing == (CLONE_VM | CLONE_VFORK))
        return clone_process(request, true, share_files);
    return refuse(request,
        "this sharing is not supported (fork or vfork, either perhaps with CLONE_FILES, or a thread sharing VM, FS, FILES and "
        "SIGHAND)");
}

// struct clone_args of clone3(2), as of Linux 5.7 (88 bytes; the first 64 are version 0).
struct CloneArgs {
    u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
constexpr u64 CLONE_ARGS_SIZE_VER0 = 64;

}

Result<i64> sys_clone(u64 flags, UserAddress child_stack, UserAddress parent_tid, UserAddress child_tid, u64 tls)
{
    if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
        return Errno::Invalid; // both would use the parent_tid argument
    if (flags & CLONE_PIDFD)
        return refuse({ flags & ~CSIGNAL, flags & CSIGNAL, child_stack, parent_tid, child_tid, tls }, "pidfds are not supported");
    return clone_with({ flags & ~CSIGNAL, flags & CSIGNAL, child_stack, parent_tid, child_tid, tls });
}

Result<i64> sys_clone3(UserAddress user_args, u64 size)
{
    if (size < CLONE_ARGS_SIZE_VER0)
        return Errno::Invalid;
    if (size > PAGE_SIZE)
        return Errno::ArgListTooBig;
    CloneArgs args {};
    TRY(copy_from_user(user_space(), &args, user_args, min<u64>(size, sizeof args)));
    // A newer caller's extra fields must be zero: it asks for nothing we do not know.
    for (u64 offset = sizeof args; offset < size; offset += 8) {
        u64 word = 0;
        TRY(copy_from_user(user_space(), &word, user_args + offset, min<u64>(8, size - offset)));
        if (word)
            return Errno::ArgListTooBig;
    }
    if (args.flags & CSIGNAL)
        return Errno::Invalid; // clone3 has a field for the exit signal
    if (args.exit_signal & ~CSIGNAL)
        return Errno::Invalid;
    if ((args.flags & CLONE_THREAD) && args.exit_signal)
        return Errno::Invalid;
    if ((args.stack == 0) != (args.stack_size == 0))
        return Errno::Invalid;
    CloneRequest request { args.flags, args.exit_signal, args.stack ? args.stack + args.stack_size : 0, args.parent_tid,
        args.child_tid, args.tls };
    if (args.set_tid || args.set_tid_size)
        return refuse(request, "set_tid is not supported");
    if (args.flags & CLONE_PIDFD)
        return refuse(request, "pidfds are not supported");
    if (args.cgroup)
        return refuse(request, "CLONE_INTO_CGROUP is not supported");
    return clone_with(request);
}
