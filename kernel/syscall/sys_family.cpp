// Creating, replacing, ending and waiting for processes: fork, vfork, execve, wait4, kill
// (clone and clone3: sys_clone.cpp). The mechanisms live in kernel/proc; this file decodes
// the Linux arguments.
#include "handlers.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/format.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/profile.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/job_control.h"
#include "kernel/proc/session.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/vm_trace_process.h"
#include "timespec.h"

namespace {

Result<i64> create_child(bool share_memory, u64 child_stack)
{
    PROFILE("fork/vfork: the system call, parent side");
    Process& parent = current_process();
    Process* child = TRY(Process::create_child(parent, *current_thread(), share_memory, child_stack));
    u32 pid = child->pid();
    if (share_memory)
        child->wait_for_vfork_release(); // vfork: the parent sleeps until the child execs or exits
    return pid;
}

// argv/envp copied out of user memory, counted against Linux's exec limits (E2BIG).
class ExecArguments {
public:
    ~ExecArguments()
    {
        delete[] m_storage;
        delete[] m_argv;
        delete[] m_envp;
    }
    Result<void> copy_in(UserAddress argv, UserAddress envp)
    {
        m_storage = new (std::nothrow) char[EXEC_ARG_SPACE_LIMIT];
        if (!m_storage)
            return Errno::NoMemory;
        TRY(copy_list(argv, m_argv, m_argc));
        TRY(copy_list(envp, m_envp, m_envc));
        return {};
    }
    StringList argv() const { return { m_argv, m_argc }; }
    StringList envp() const { return { m_envp, m_envc }; }

private:
    Result<void> copy_list(UserAddress array, char const**& items, u64& count)
    {
        count = 0;
        if (!array) {
            items = new (std::nothrow) char const*[1];
            return items ? Result<void>() : Result<void>(Errno::NoMemory);
        }
        // Count first, charging each pointer against the limit as Linux does.
        while (true) {
            u64 pointer = TRY(read_user<u64>(array + count * 8));
            if (!pointer)
                break;
            ++count;
            if (m_used + count * 8 > EXEC_ARG_SPACE_LIMIT)
                return Errno::ArgListTooBig;
        }
        m_used += count * 8;
        items = new (std::nothrow) char const*[count + 1];
        if (!items)
            return Errno::NoMemory;
        for (u64 i = 0; i < count; ++i) {
            u64 pointer = TRY(read_user<u64>(array + i * 8));
            usize room = min<usize>(EXEC_ARG_SPACE_LIMIT - m_used, EXEC_MAX_STRING_LENGTH);
            auto length = copy_string_from_user(user_space(), m_storage + m_used, pointer, room);
            if (length.is_error())
                return length.error() == Errno::NameTooLong ? Errno::ArgListTooBig : length.error();
            items[i] = m_storage + m_used;
            m_used += length.value() + 1;
        }
        items[count] = nullptr;
        return {};
    }

    char* m_storage { nullptr };
    usize m_used { 0 };
    char const** m_argv { nullptr };
    char const** m_envp { nullptr };
    u64 m_argc { 0 };
    u64 m_envc { 0 };
};

}

Result<i64> sys_fork() { return create_child(false, 0); }
Result<i64> sys_vfork() { return create_child(true, 0); }

namespace {

// execveat's name for the program, relative to `dirfd`: the path to look up (`normalized`),
// what the program sees as AT_EXECFN (`execfn`: Linux's bprm->filename — the path as given,
// or /dev/fd/N/PATH through a descriptor), and `source`'s file for AT_EMPTY_PATH.
Result<void> name_program(int dirfd, char const* given, int flags, char* normalized, char* execfn, ExecSource& source)
{
    Process& process = current_process();
    source.follow_last_link = !(flags & AT_SYMLINK_NOFOLLOW);
    bool empty_path = given[0] == '\0' && (flags & AT_EMPTY_PATH);
    if (given[0] == '/' || dirfd == AT_FDCWD) {
        memcpy(execfn, given, strlen(given) + 1);
        // AT_EMPTY_PATH with AT_FDCWD names the working directory, which is no program.
        return normalize_path(process.cwd(), empty_path ? "." : given, normalized, PATH_MAX);
    }
    auto description = TRY(process.fds().get_even_if_path_only(dirfd));
    Inode* inode = description->file().inode();
    source.path_inaccessible = process.fds().close_on_exec(dirfd);
    if (empty_path) {
        if (!inode)
            return Errno::Access; // a pipe or the console: nothing to run
        source.file = RefPtr<Inode>(inode);
        format(execfn, PATH_MAX, "/dev/fd/%d", dirfd);
        memcpy(normalized, description->path(), strlen(description->path()) + 1);
        return {};
    }
    if (!inode || !inode->is_directory())
        return Errno::NotDirectory;
    if (format(execfn, PATH_MAX, "/dev/fd/%d/%s", dirfd, given) >= static_cast<int>(PATH_MAX))
        return Errno::NameTooLong;
    return normalize_path(description->path(), given, normalized, PATH_MAX, &caller_credentials());
}

Result<void> execveat(int dirfd, UserAddress path, UserAddress argv, UserAddress envp, int flags, ExecStage& reached)
{
    reached = ExecStage::Checking;
    PATH_BUFFER(given);
    TRY(copy_string_from_user(user_space(), given, path, PATH_MAX));
    // Linux reads the name first: an empty one without AT_EMPTY_PATH is ENOENT whatever else.
    if (given[0] == '\0' && !(flags & AT_EMPTY_PATH))
        return Errno::NoEntry;
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        return Errno::Invalid;
    Process& process = current_process();
    PATH_BUFFER(normalized);
    PATH_BUFFER(execfn);
    ExecSource source;
    TRY(name_program(dirfd, given, flags, normalized, execfn, source));
    ExecArguments arguments;
    TRY(arguments.copy_in(argv, envp));
    TRY(exec_program(process, *current_thread(), normalized, execfn, arguments.argv(), arguments.envp(), source, reached));
    process.set_command_line(arguments.argv().items, arguments.argv().count);
    VM_TRACE(trace_exec(process));
    VM_TRACE(trace_vfork_end(process, false));
    process.release_vfork_parent();
    return {};
}

}

Result<i64> sys_execve(UserAddress path, UserAddress argv, UserAddress envp)
{
    return sys_execveat(AT_FDCWD, path, argv, envp, 0);
}

Result<i64> sys_execveat(int dirfd, UserAddress path, UserAddress argv, UserAddress envp, int flags)
{
    PROFILE("exec: the system call");
    ExecStage reached;
    auto result = execveat(dirfd, path, argv, envp, flags, reached);
    if (!result.is_error())
        return 0;
    if (reached == ExecStage::Checking)
        return result.error();
    // Past the point of no return there is no old program to go back to (exec.h). Killed
    // here, once execve()'s buffers are freed, since exit does not return.
    Process& process = current_process();
    klog("pid %u (%s) killed by SIGSEGV: execve could not build the new program (%s)", process.pid(), process.executable_path(),
        errno_name(result.error()));
    process.exit(wait_status_signaled(SIGSEGV));
}

namespace {

// What wait4 and waitid wait for, and what they found.
struct WaitRequest {
    Process::ChildSelector children;
    bool exited, stopped, continued; // which state changes count
    bool no_hang; // WNOHANG: nothing yet is not a reason to sleep
    bool keep; // WNOWAIT: report, but leave the child (or its report) waitable
};
struct WaitFound {
    Process* child; // null: nothing yet (WNOHANG)
    enum class What {
        Exited,
        Stopped,
        Continued
    } what;
    int stop_signal;
};

// The one loop behind wait4 and waitid: a zombie first, then a stop or continue report;
// ECHILD if no child matches; else sleep until a child changes (interruptibly: restarted
// or EINTR as Linux). A zombie found is collected unless `keep`; the caller reads it first.
Result<WaitFound> wait_for_child(Process& self, WaitRequest const& request)
{
    while (true) {
        if (Process* child = request.exited ? self.find_zombie_child(request.children) : nullptr)
            return WaitFound { child, WaitFound::What::Exited, 0 };
        if (Process* child = (request.stopped || request.continued)
                ? self.find_reporting_child(request.children, request.stopped, request.continued)
                : nullptr) {
            bool stopped = child->job.report == Process::ChildReport::Stopped;
            if (!request.keep)
                child->job.report = Process::ChildReport::None; // reported once
            return WaitFound { child, stopped ? WaitFound::What::Stopped : WaitFound::What::Continued, child->job.stop_signal };
        }
        if (!self.has_child(request.children))
            return Errno::NoChild;
        if (request.no_hang)
            return WaitFound { nullptr, WaitFound::What::Exited, 0 };
        if (self.child_state_changed.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
}

Rusage rusage_of_child(Process& child, bool with_its_children)
{
    CpuTimes times = child.cpu_times();
    if (with_its_children)
        times += child.children_cpu_times();
    return rusage_of(times);
}

}

Result<i64> sys_wait4(int pid, UserAddress status, int options, UserAddress rusage)
{
    constexpr int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WNOTHREAD = 0x20000000, WALL = 0x40000000,
                  WCLONE = static_cast<int>(0x80000000);
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return Errno::Invalid;
    // -INT_MIN would be the process group INT_MIN, which cannot be negated: Linux says ESRCH.
    if (pid == INT32_MIN)
        return Errno::NoProcess;
    Process& self = current_process();
    using Kind = Process::ChildSelector::Kind;
    Process::ChildSelector wanted { Kind::Any, 0 };
    if (pid > 0)
        wanted = { Kind::Pid, static_cast<u32>(pid) };
    else if (pid == 0)
        wanted = { Kind::Group, self.process_group() };
    else if (pid < -1)
        wanted = { Kind::Group, static_cast<u32>(-pid) };
    WaitFound found = TRY(wait_for_child(
        self, { wanted, true, bool(options & WUNTRACED), bool(options & WCONTINUED), bool(options & WNOHANG), false }));
    if (!found.child)
        return 0;
    Process& child = *found.child;
    i32 child_pid = static_cast<i32>(child.pid());
    // The status as <sys/wait.h> decodes it: exited/killed, stopped (0x7f with the signal
    // above it), continued (0xffff).
    int child_status = found.what == WaitFound::What::Exited ? child.wait_status()
        : found.what == WaitFound::What::Stopped             ? 0x7f | (found.stop_signal << 8)
                                                             : 0xffff;
    bool exited = found.what == WaitFound::What::Exited;
    if (status)
        TRY(write_user<i32>(status, child_status));
    if (rusage)
        TRY(write_user(rusage, rusage_of_child(child, exited)));
    if (exited)
        self.collect(child);
    return child_pid;
}

Result<i64> sys_waitid(int type, i32 id, UserAddress info, int options, UserAddress rusage)
{
    constexpr int P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
    constexpr int WNOHANG = 1, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000, WNOTHREAD = 0x20000000,
                  WALL = 0x40000000, WCLONE = static_cast<int>(0x80000000);
    if (options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE))
        return Errno::Invalid;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return Errno::Invalid;
    Process& self = current_process();
    using Kind = Process::ChildSelector::Kind;
    Process::ChildSelector wanted { Kind::Any, 0 };
    switch (type) {
    case P_ALL:
        break;
    case P_PID:
        if (id <= 0)
            return Errno::Invalid;
        wanted = { Kind::Pid, static_cast<u32>(id) };
        break;
    case P_PGID:
        if (id < 0)
            return Errno::Invalid;
        wanted = { Kind::Group, id ? static_cast<u32>(id) : self.process_group() };
        break;
    case P_PIDFD:
        KLOG_ONCE("pid %u: waitid(P_PIDFD): pidfds are not supported: EINVAL", self.pid());
        return Errno::Invalid;
    default:
        return Errno::Invalid;
    }
    WaitFound found = TRY(wait_for_child(self,
        { wanted, bool(options & WEXITED), bool(options & WSTOPPED), bool(options & WCONTINUED), bool(options & WNOHANG),
            bool(options & WNOWAIT) }));
    // The SIGCHLD siginfo of what was found; with WNOHANG and nothing to report, Linux
    // clears si_signo and si_pid: zeros throughout.
    SigInfo siginfo {};
    if (found.child) {
        Process& child = *found.child;
        ChildExit report = found.what == WaitFound::What::Exited ? child_exit_of(child.wait_status())
            : found.what == WaitFound::What::Stopped             ? ChildExit { CLD_STOPPED, found.stop_signal }
                                                                 : ChildExit { CLD_CONTINUED, SIGCONT };
        siginfo = siginfo_from(SIGCHLD, { report.code, child.pid(), static_cast<u64>(report.status), child.credentials.uid });
    }
    if (info)
        TRY(write_user(info, siginfo));
    if (found.child && rusage)
        TRY(write_user(rusage, rusage_of_child(*found.child, found.what == WaitFound::What::Exited)));
    if (found.child && found.what == WaitFound::What::Exited && !(options & WNOWAIT))
        self.collect(*found.child);
    return 0;
}

namespace {

// One signal from the caller to `target`, if check_kill_permission allows (EPERM otherwise).
Result<void> signal_if_permitted(Process& self, Process& target, int signal)
{
    TRY(check_kill_permission(self, target, signal));
    return send_signal(target, signal);
}

}

Result<i64> sys_kill(int pid, int signal)
{
    if (signal < 0 || signal > SIGNAL_COUNT)
        return Errno::Invalid;
    Process& self = current_process();
    if (pid > 0) {
        Process* target = find_process(static_cast<u32>(pid));
        if (!target)
            return Errno::NoProcess;
        TRY(signal_if_permitted(self, *target, signal));
        return 0;
    }
    if (pid == -1) {
        // Every process but init and the caller; those it may not signal do not count
        // against it (Linux returns 0 even if none could be reached for lack of permission).
        bool found = false;
        for_each_process([&](Process& target) {
            if (target.pid() == 1 || &target == &self)
                return;
            found = true;
            (void)signal_if_permitted(self, target, signal);
        });
        return found ? Result<i64>(0) : Result<i64>(Errno::NoProcess);
    }
    // 0: the caller's own process group; -pgid: that group. -INT_MIN has no group. Success
    // if one member got it; EPERM if the caller could reach none.
    if (pid == INT32_MIN)
        return Errno::NoProcess;
    u32 group = pid == 0 ? self.process_group() : static_cast<u32>(-pid);
    bool delivered = false;
    Result<void> last;
    usize reached = for_each_in_process_group(group, [&](Process& target) {
        last = signal_if_permitted(self, target, signal);
        delivered |= !last.is_error();
    });
    if (!reached)
        return Errno::NoProcess;
    if (!delivered && last.is_error())
        return last.error();
    return 0;
}
