// A Process: an address space, open files and its threads (a Linux thread group), plus
// its place in the family tree (parent, children) and, once it has exited, its status for
// the parent to collect.
//
//   Process ──RefPtr──▶ AddressSpace   (shared with a vfork child until it execs or exits)
//           ──owns────▶ FdTable ──RefPtr──▶ OpenFile ──RefPtr──▶ File
//           ──list────▶ Thread, Thread, ... (the first one's id is the pid: thread_group.cpp)
//
// Lifetime: Running → Zombie (exit: memory and files released at once) → freed when the
// parent collects the status with wait4 (or at once if the parent ignores SIGCHLD).
#pragma once

#include "cpu_timers.h"
#include "group_ending.h"
#include "interval_timer.h"
#include "kernel/fs/fd_table.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/credentials.h"
#include "kernel/lib/function_ref.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/shared_string.h"
#include "kernel/lib/signal_numbers.h"
#include "kernel/mm/address_space.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait_queue.h"
#include "posix_timer.h"
#include "resource_limits.h"

struct SignalAction {
    u64 handler { 0 }; // SIG_DFL = 0, SIG_IGN = 1, else a user function
    u64 flags { 0 };
    u64 restorer { 0 };
    u64 mask { 0 };
};

constexpr u64 SIG_DFL = 0, SIG_IGN = 1;

// Linux's TASK_COMM_LEN less its NUL: the longest command name (a thread's name()).
constexpr usize COMMAND_NAME_MAX = 15;

class Process {
public:
    enum class State {
        Running,
        Zombie
    };

    // A process with an empty address space and the console on fds 0, 1, 2.
    static Result<Process*> create_first();
    // A child of `parent` (the caller) starting from the parent thread's user registers with
    // rax = 0. `share_memory` = vfork semantics: the child borrows the parent's address space.
    // `share_files`: the child uses the parent's descriptor table itself (CLONE_FILES), not a copy.
    static Result<Process*> create_child(
        Process& parent, Thread& parent_thread, bool share_memory, u64 child_stack, bool share_files = false);

    u32 pid() const { return m_pid; }
    Process* parent() const { return m_parent; }
    // Job control (session.h): the process group and the session this process belongs to.
    // Both are inherited at fork; the first process has 0 for both, as Linux's init.
    u32 process_group() const { return m_process_group; }
    u32 session() const { return m_session; }
    void set_process_group(u32 id) { m_process_group = id; }
    void set_session(u32 id) { m_session = id; }
    // True once the process has run execve(): its parent may no longer move it to another
    // process group (setpgid: EACCES). Linux's "not PF_FORKNOEXEC".
    bool has_exec_run() const { return m_has_exec_run; }
    void note_exec_ran() { m_has_exec_run = true; }
    bool dumpable { true }; // prctl PR_SET_DUMPABLE; inherited at fork, exec sets it again
    u32 personality { 0 }; // personality(2): PER_LINUX, with UNAME26 or ADDR_NO_RANDOMIZE
    int parent_death_signal { 0 }; // PR_SET_PDEATHSIG: sent when the parent exits; not inherited
    bool child_subreaper { false }; // PR_SET_CHILD_SUBREAPER: orphans below come here, not to init
    State state() const { return m_state; }
    // In exit(): its last thread's user state is being released, or was (PI locks handed on).
    bool is_exiting() const { return m_exiting; }
    int wait_status() const { return m_wait_status; }
    AddressSpace& address_space() { return *m_address_space; }
    bool has_address_space() const { return static_cast<bool>(m_address_space); }
    // Also points the thread at it, so the scheduler loads its page table.
    void set_address_space(RefPtr<AddressSpace>);
    // Tells the address space this process's RLIMIT_STACK and RLIMIT_AS, which bound how far
    // its MAP_GROWSDOWN mappings grow (set_address_space and setrlimit call it).
    void apply_stack_growth_limits();
    FdTable& fds() { return *m_fds; }
    // Gives the process a descriptor table of its own if another process shares this one
    // (CLONE_FILES): exec does, as Linux's unshare_files, and close_range(CLOSE_RANGE_UNSHARE).
    // NoMemory, and then nothing changed.
    Result<void> unshare_fds();

    // --- Threads (thread_group.cpp). All share everything above; each has its own
    // registers, signal mask and thread-directed pending signals (sched/thread.h).
    // The process's first thread (its id is the pid); null once the process has exited.
    Thread* first_thread() const { return m_threads.first(); }
    usize thread_count() const;
    Thread* find_thread(u32 tid) const;
    void for_each_thread(FunctionRef<void(Thread&)>) const;
    // Makes `thread` one of this process's threads (the first one, or a clone's).
    void add_thread(Thread& thread);
    // clone(CLONE_THREAD): a new thread that starts from the creator's user registers with
    // rax = 0, on `stack`, its TLS at `tls`; it runs once the caller returns.
    // TryAgain past RLIMIT_NPROC (over_task_limit).
    Result<Thread*> create_thread(Thread& creator, u64 stack, u64 tls);
    // exit(2) of one thread: the last one out ends the process with `wait_status`.
    [[noreturn]] void exit_thread(Thread&, int wait_status);
    // exit_group and execve: ends every thread but `survivor` and returns true once they
    // are gone. The others end at their next return towards user mode (a fatal interrupt
    // wakes them from interruptible and killable sleeps first). False if another thread is
    // doing this already: then `survivor` is one that must end (thread_must_end).
    bool end_other_threads(Thread& survivor);
    // A thread's last words to its program's memory: its clear-child-tid word and robust
    // list, and its PI locks handed on. At its end, and at execve (Linux's exec_mm_release:
    // the old program's locks are not the new one's).
    void release_thread_user_state(Thread&);
    // True while end_other_threads runs for a survivor other than `thread`.
    bool thread_must_end(Thread const& thread) const { return m_ending.must_end(thread); }

    // The running program's file, held against writers (ETXTBSY) until exit or the next exec.
    void set_executable(ExecutableHold hold) { m_executable = static_cast<ExecutableHold&&>(hold); }
    // The running program's absolute path (as /proc/<pid>/exe shows it).
    char const* executable_path() const { return m_executable_path.text(); }
    void set_executable_path(SharedString path) { m_executable_path = static_cast<SharedString&&>(path); }
    // The working directory, normalized (vfs.h: no leading slash; "" is the root).
    char const* cwd() const { return m_cwd.text(); }
    // `normalized` is a resolved directory path of up to PATH_MAX bytes. NoMemory.
    Result<void> set_cwd(char const* normalized);
    u32 umask() const { return m_umask; }
    // Returns the previous mask, as umask(2).
    u32 set_umask(u32 mask)
    {
        u32 old = m_umask;
        m_umask = mask;
        return old;
    }
    // argv as /proc/<pid>/cmdline shows it: the strings with their NULs.
    char const* command_line() const { return m_command_line; }
    usize command_line_length() const { return m_command_line_length; }
    void set_command_line(char const* const* argv, usize count);

    RealIntervalTimer real_timer { *this }; // ITIMER_REAL and alarm()
    CpuTimers cpu_timers; // ITIMER_VIRTUAL, ITIMER_PROF, RLIMIT_CPU (cpu_timers.h)
    PosixTimers posix_timers; // timer_create (posix_timer.h): not inherited, gone at execve
    ResourceLimits limits; // inherited at fork, kept by execve
    // Whom the process acts as (uid, gid, groups...); a child inherits them at fork.
    Credentials credentials;
    // System calls made by the process's threads since it started (fork resets it): a
    // Pagoda-only line of /proc/<pid>/status, by which a test sees that a vDSO call made none.
    u64 system_calls { 0 };

    SignalAction signal_actions[SIGNAL_COUNT];
    PendingSignals pending; // sent to the process: any thread that does not block one takes it

    // Job control (job_control.cpp). What wait4 may still report about this child:
    // WUNTRACED a stop, WCONTINUED a continue (each once).
    enum class ChildReport {
        None,
        Stopped,
        Continued
    };
    struct JobState {
        bool stopped { false };
        int stop_signal { 0 };
        ChildReport report { ChildReport::None };
        WaitQueue continued; // its stopped threads sleep here
    } job;

    // Ends the process with a wait(2)-style status (exit code << 8, or the signal number).
    // Called by any of its threads (exit_group, a fatal signal): the others end first. With
    // DumpCore::Yes (a signal whose default action dumps core) the core file is written
    // then, and WCOREDUMP (0x80) joins the status if it was (core_dump.h). Does not return.
    enum class DumpCore {
        No,
        Yes
    };
    [[noreturn]] void exit(int wait_status, DumpCore = DumpCore::No);
    // A vfork child has exec'd or exited: its parent may go on.
    void release_vfork_parent();
    // True while this vfork child still holds its parent (before its exec or exit).
    bool holds_vfork_parent() const { return m_vfork_parent_waiting; }
    // Blocks the calling parent until this vfork child releases it, or until a signal that
    // ends the parent arrives (a killable wait).
    void wait_for_vfork_release();

    // Which children a wait4/waitpid call waits for: one pid, one process group, or any.
    struct ChildSelector {
        enum class Kind {
            Any,
            Pid,
            Group
        } kind;
        u32 id;
        bool matches(Process const& child) const
        {
            return kind == Kind::Any || (kind == Kind::Pid ? child.m_pid : child.m_process_group) == id;
        }
    };
    // wait4: the first zombie child the selector matches, or nullptr.
    Process* find_zombie_child(ChildSelector);
    // wait4 with WUNTRACED/WCONTINUED: the first child with that report pending, or nullptr.
    Process* find_reporting_child(ChildSelector, bool stopped, bool continued);
    bool has_child(ChildSelector) const;
    // Frees a zombie child whose status has been collected.
    void reap(Process& child);
    // wait4 collected the child's status: its CPU time (and that of the children it
    // collected) joins this process's children's time, then it is freed.
    void collect(Process& child);

    // CPU time of this process's threads, living and ended (getrusage RUSAGE_SELF, times,
    // CLOCK_PROCESS_CPUTIME_ID), and of the children it collected (RUSAGE_CHILDREN).
    CpuTimes cpu_times() const;
    CpuTimes children_cpu_times() const { return m_children_cpu; }
    WaitQueue child_state_changed; // the parent sleeps here in wait4

    ListNode all_processes_node;
    ListNode sibling_node;

private:
    Process();
    ~Process();
    // Gives every child to its new parent: the nearest live ancestor that is a child
    // subreaper, else init (Linux's find_new_reaper); a child that asked for a parent-death
    // signal gets it.
    void reparent_children();

    u32 m_pid;
    u32 m_process_group { 0 };
    u32 m_session { 0 };
    bool m_has_exec_run { false };
    Process* m_parent { nullptr };
    IntrusiveList<Process, &Process::sibling_node> m_children;
    State m_state { State::Running };
    bool m_exiting { false }; // in exit(): no more children may be given to it
    int m_wait_status { 0 };
    RefPtr<AddressSpace> m_address_space;
    RefPtr<FdTable> m_fds;
    IntrusiveList<Thread, &Thread::group_node> m_threads;
    GroupEnding m_ending; // the survivor protocol of end_other_threads
    CpuTimes m_ended_threads_cpu;
    CpuTimes m_children_cpu;
    WaitQueue m_thread_ended; // the survivor waits here for the others
    bool m_vfork_parent_waiting { false };
    WaitQueue m_vfork_release;
    ExecutableHold m_executable;
    SharedString m_executable_path;
    SharedString m_cwd;
    u32 m_umask { 022 };
    char m_command_line[512] {};
    usize m_command_line_length { 0 };
};

Process& current_process();
Process* find_process(u32 pid);
// The next process or thread id: both come from one sequence, as Linux's pids and tids,
// which wraps past PID_MAX (Linux's default pid_max) to 300 and skips ids still in use as a
// process, thread, process group or session.
constexpr u32 PID_MAX = 32768;
u32 allocate_task_id();
// The id given out last (/proc/loadavg's last field), and how many processes and threads
// were made since boot (/proc/stat's "processes").
u32 last_task_id();
u64 tasks_created();
void for_each_process(FunctionRef<void(Process&)>);
// The living thread `tid` wherever it lives (tids and pids share one sequence), and its process.
Thread* find_any_thread(u32 tid, Process** owner);
// RLIMIT_NPROC (Linux's copy_process): a user may have as many tasks — threads, and zombies
// not yet reaped — as the creator's soft limit allows, so a fork or a new thread past it is
// EAGAIN. `child`, already in the process table, is not counted. Creators of the real uid 0
// and privileged ones (CAP_SYS_RESOURCE) are exempt.
bool over_task_limit(Process& creator, Process const* child = nullptr);
// Wait statuses, as <sys/wait.h> decodes them.
constexpr int wait_status_exited(int code) { return (code & 0xff) << 8; }
constexpr int wait_status_signaled(int signal) { return signal & 0x7f; }
constexpr int WAIT_STATUS_CORE_DUMPED = 0x80; // WCOREDUMP
// personality(2)'s flags that Pagoda honours (uname's release, execve's layout), and those
// a set-id execve clears (Linux's PER_CLEAR_ON_SETID).
constexpr u32 UNAME26 = 0x0020000, ADDR_NO_RANDOMIZE = 0x0040000;
constexpr u32 PER_CLEAR_ON_SETID = 0x0400000 | ADDR_NO_RANDOMIZE | 0x0200000 | 0x0100000;
