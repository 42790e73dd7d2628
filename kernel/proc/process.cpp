#include "process.h"
#include "core_dump.h"
#include "job_control.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/fs/console.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/profile.h"
#include "kernel/mm/fork.h"
#include "session.h"
#include "shutdown.h"
#include "signal.h"
#include "terminal.h"
#include "vm_trace_process.h"

namespace {
IntrusiveList<Process, &Process::all_processes_node> g_processes;
u32 g_next_pid = 1;
Process* g_init;
}

namespace {

bool task_id_in_use(u32 id)
{
    for (Process& process : g_processes)
        if (process.pid() == id || process.process_group() == id || process.session() == id || process.find_thread(id))
            return true;
    return false;
}

u32 g_last_id;
u64 g_tasks_created;

}

u32 allocate_task_id()
{
    // Linux leaves the first 300 ids to early daemons after a wrap (RESERVED_PIDS).
    constexpr u32 FIRST_AFTER_WRAP = 300;
    for (;;) {
        u32 id = g_next_pid++;
        if (g_next_pid >= PID_MAX)
            g_next_pid = FIRST_AFTER_WRAP;
        if (!task_id_in_use(id)) {
            ++g_tasks_created;
            return g_last_id = id;
        }
    }
}

u32 last_task_id() { return g_last_id; }
u64 tasks_created() { return g_tasks_created; }

Process::Process() : m_pid(allocate_task_id()) { g_processes.append(*this); }

Process::~Process() { g_processes.remove(*this); }

Result<Process*> Process::create_first()
{
    auto* process = new (std::nothrow) Process;
    if (!process)
        return Errno::NoMemory;
    process->set_address_space(TRY(AddressSpace::create(kernel_memory_context())));
    process->m_fds = TRY(FdTable::create());
    RefPtr<File> console = Console::the();
    for (int fd = 0; fd < 3; ++fd) {
        auto* open_file = new (std::nothrow) OpenFile(console, O_RDWR);
        if (!open_file)
            return Errno::NoMemory;
        TRY(process->m_fds->install(fd, adopt_ref(open_file), false));
    }
    // Linux's first RLIMIT_SIGPENDING is half its thread limit, which is memory / (8 ×
    // a 16 KiB kernel stack): one entry for every 64 pages.
    u64 signal_entries = kernel_memory_context().frames.total_frames() / 64;
    MUST(process->limits.set(RLIMIT_SIGPENDING, { signal_entries, signal_entries }, true));
    g_init = process;
    return process;
}

bool over_task_limit(Process& creator, Process const* child)
{
    Credentials const& who = creator.credentials;
    u64 limit = creator.limits.soft(RLIMIT_NPROC);
    if (limit == RLIM_INFINITY || who.uid == 0 || who.is_privileged())
        return false;
    u64 count = 0;
    for_each_process([&](Process& process) {
        // A zombie's first thread is not released until it is reaped: it still counts.
        if (&process != child && process.credentials.uid == who.uid)
            count += max<usize>(process.thread_count(), 1);
    });
    return count >= limit;
}

Result<void> Process::unshare_fds()
{
    if (m_fds->ref_count() > 1)
        m_fds = TRY(FdTable::create(m_fds.ptr()));
    return {};
}

Result<Process*> Process::create_child(
    Process& parent, Thread& parent_thread, bool share_memory, u64 child_stack, bool share_files)
{
    RefPtr<AddressSpace> space;
    if (share_memory)
        space = parent.m_address_space;
    else
        space = TRY(fork_address_space(*parent.m_address_space));

    auto* child = new (std::nothrow) Process;
    if (!child)
        return Errno::NoMemory;
    // From here on the child is in the process table as its parent's user, so a fork that
    // slept in fork_address_space above is counted by the next one's RLIMIT_NPROC check.
    child->credentials = parent.credentials;
    if (over_task_limit(parent, child)) {
        delete child;
        return Errno::TryAgain;
    }
    if (share_files) {
        child->m_fds = parent.m_fds;
    } else if (auto copied = FdTable::create(parent.m_fds.ptr()); copied.is_error()) {
        delete child;
        return copied.error();
    } else {
        child->m_fds = copied.release_value();
    }

    TrapFrame frame = parent_thread.user_frame();
    frame.rax = 0; // fork returns 0 in the child
    if (child_stack)
        frame.rsp = child_stack;
    auto thread = Thread::create_user(*child, child->pid(), frame); // the main thread's tid is the pid
    if (thread.is_error()) {
        delete child;
        return thread.error();
    }
    Thread& child_thread = *thread.value();
    child_thread.set_name(parent_thread.name(), COMMAND_NAME_MAX);
    child->set_address_space(static_cast<RefPtr<AddressSpace>&&>(space));
    child->add_thread(child_thread); // only the calling thread is copied, as on Linux
    child_thread.fs_base = parent_thread.fs_base;
    // The parent's live FPU/SSE registers are the ones to inherit, not its last saved copy.
    asm volatile("fxsave %0" : "=m"(child_thread.fpu_state));

    child->m_parent = &parent;
    child->m_process_group = parent.m_process_group;
    child->m_session = parent.m_session;
    parent.m_children.append(*child);
    child->limits = parent.limits;
    child->apply_stack_growth_limits(); // set_address_space above saw the defaults
    child->m_cwd = parent.m_cwd;
    child->m_executable = parent.m_executable.duplicate();
    child->m_executable_path = parent.m_executable_path;
    memcpy(child->m_command_line, parent.m_command_line, sizeof m_command_line);
    child->m_command_line_length = parent.m_command_line_length;
    child->m_umask = parent.m_umask;
    child->dumpable = parent.dumpable; // Linux keeps it in the mm's flags, which fork copies
    child->personality = parent.personality;
    for (int i = 0; i < SIGNAL_COUNT; ++i)
        child->signal_actions[i] = parent.signal_actions[i];
    child_thread.signal_mask = parent_thread.signal_mask;
    child_thread.nice = parent_thread.nice;
    child_thread.inherit_timer_slack(parent_thread);
    child_thread.rdtsc_faults = parent_thread.rdtsc_faults;
    child_thread.alt_stack_base = parent_thread.alt_stack_base; // fork keeps sigaltstack
    child_thread.alt_stack_size = parent_thread.alt_stack_size;
    child_thread.alt_stack_autodisarm = parent_thread.alt_stack_autodisarm;
    child->m_vfork_parent_waiting = share_memory;
    VM_TRACE(trace_fork(parent, *child, share_memory));
    scheduler_add(child_thread);
    return child;
}

void Process::set_address_space(RefPtr<AddressSpace> space)
{
    // The thread points at the new space before the old one may go: dropping the old one
    // may sleep (dirty shared pages are written back), and the scheduler then loads the
    // page table of whatever `address_space` says.
    RefPtr<AddressSpace> old = static_cast<RefPtr<AddressSpace>&&>(m_address_space);
    m_address_space = static_cast<RefPtr<AddressSpace>&&>(space);
    for (Thread& thread : m_threads)
        thread.address_space = m_address_space.ptr();
    apply_stack_growth_limits();
    old.clear();
}

void Process::apply_stack_growth_limits()
{
    if (m_address_space)
        m_address_space->set_stack_growth_limits(limits.soft(RLIMIT_STACK), limits.soft(RLIMIT_AS));
}

Result<void> Process::set_cwd(char const* normalized)
{
    m_cwd = TRY(SharedString::create(normalized));
    return {};
}

void Process::set_command_line(char const* const* argv, usize count)
{
    usize length = 0;
    for (usize i = 0; i < count; ++i) {
        usize n = strlen(argv[i]) + 1;
        if (length + n > sizeof m_command_line)
            break;
        memcpy(m_command_line + length, argv[i], n);
        length += n;
    }
    m_command_line_length = length;
}

void Process::release_vfork_parent()
{
    if (!m_vfork_parent_waiting)
        return;
    m_vfork_parent_waiting = false;
    m_vfork_release.wake_all();
}

void Process::wait_for_vfork_release()
{
    // Killable, as Linux's: a signal that ends the parent ends the wait (the child goes on
    // in the memory it holds a reference to); others wait until the child execs or exits.
    while (m_vfork_parent_waiting)
        if (m_vfork_release.wait_killable() == WaitResult::Interrupted)
            return;
}

void Process::reparent_children()
{
    Process* reaper = g_init;
    for (Process* ancestor = m_parent; ancestor && ancestor != g_init; ancestor = ancestor->m_parent) {
        if (ancestor->child_subreaper && !ancestor->m_exiting && ancestor->m_state == State::Running) {
            reaper = ancestor;
            break;
        }
    }
    while (Process* child = m_children.take_first()) {
        child->m_parent = reaper;
        reaper->m_children.append(*child);
        if (child->m_state == State::Zombie)
            reaper->child_state_changed.wake_all();
        else if (child->parent_death_signal)
            (void)send_signal(*child, child->parent_death_signal, current_sender(SI_USER));
        hang_up_if_orphaned_by_reparenting(*child, *this);
    }
}

void Process::exit(int wait_status, DumpCore dump_core)
{
    Thread& thread = *current_thread();
    if (!end_other_threads(thread))
        exit_thread(thread, wait_status); // another thread ends the group: only this one goes
    // From here on this is the only thread.
    if (dump_core == DumpCore::Yes && write_core_dump(*this, thread, wait_status & 0x7f))
        wait_status |= WAIT_STATUS_CORE_DUMPED;
    VM_TRACE(trace_exit(*this, wait_status));
    if (m_pid == 1)
        shutdown_after_init_exit(wait_status);
    m_exiting = true;
    release_thread_user_state(thread);
    // The program's file may be written again once no process runs it; dropped before the
    // files are closed, as Linux drops its address space (and exe_file) first: a parent that
    // sees a pipe of ours close may then open the file for writing.
    m_executable.release();
    real_timer.stop();
    posix_timers.clear();
    // The descriptors close with the last process using the table; another process sharing
    // it (CLONE_FILES) keeps them open. An exited process keeps an empty table of its own
    // where one can be had, so that /proc and the fd calls of its threads find nothing.
    if (m_fds->ref_count() == 1)
        m_fds->close_all();
    else if (auto empty = FdTable::create(); !empty.is_error())
        m_fds = empty.release_value();
    if (m_session == m_pid)
        controlling_process_exited(*this); // a session leader's terminal goes free
    reparent_children();
    hang_up_if_orphaned_by_exit(*this);
    VM_TRACE(trace_vfork_end(*this, true));
    release_vfork_parent();
    // Leave this address space before dropping what may be the last reference to it.
    // Dropping it may sleep (dirty shared pages are written back), so only afterwards does
    // the process become a zombie its parent can reap.
    thread.address_space = nullptr;
    activate_kernel_page_table();
    m_address_space.clear();
    m_wait_status = wait_status;
    m_state = State::Zombie;
    m_ended_threads_cpu += thread_cpu_times(thread);
    m_threads.remove(thread);

    Process* parent = m_parent;
    ChildExit report = child_exit_of(wait_status);
    notify_parent(*this, report.code, report.status);
    if (parent->signal_actions[SIGCHLD - 1].handler == SIG_IGN) {
        parent->reap(*this); // nobody will wait for us (POSIX: SIGCHLD ignored)
    }
    // Also when reaped at once: a parent sleeping in wait4 must look again (and, with no
    // child left, get ECHILD).
    parent->child_state_changed.wake_all();
    thread_exit_current_noreturn();
}

Process* Process::find_zombie_child(ChildSelector selector)
{
    for (Process& child : m_children)
        if (child.m_state == State::Zombie && selector.matches(child))
            return &child;
    return nullptr;
}

Process* Process::find_reporting_child(ChildSelector selector, bool stopped, bool continued)
{
    for (Process& child : m_children) {
        if (child.m_state == State::Zombie || !selector.matches(child))
            continue;
        if ((stopped && child.job.report == ChildReport::Stopped) || (continued && child.job.report == ChildReport::Continued))
            return &child;
    }
    return nullptr;
}

bool Process::has_child(ChildSelector selector) const
{
    for (Process& child : m_children)
        if (selector.matches(child))
            return true;
    return false;
}

void Process::collect(Process& child)
{
    m_children_cpu += child.cpu_times();
    m_children_cpu += child.m_children_cpu;
    reap(child);
}

CpuTimes Process::cpu_times() const
{
    CpuTimes total = m_ended_threads_cpu;
    for (Thread& thread : m_threads)
        total += thread_cpu_times(thread);
    return total;
}

void Process::reap(Process& child)
{
    VERIFY(child.m_state == State::Zombie && child.m_parent == this);
    m_children.remove(child);
    delete &child;
}

Process& current_process()
{
    Thread* thread = current_thread();
    VERIFY(thread && thread->process());
    return *thread->process();
}

void for_each_process(FunctionRef<void(Process&)> visit)
{
    for (Process* process = g_processes.first(); process;) {
        Process* next = g_processes.next(*process);
        visit(*process);
        process = next;
    }
}

Thread* find_any_thread(u32 tid, Process** owner)
{
    Thread* found = nullptr;
    for_each_process([&](Process& process) {
        if (found || process.state() == Process::State::Zombie)
            return;
        if (Thread* thread = process.find_thread(tid)) {
            found = thread;
            *owner = &process;
        }
    });
    return found;
}

Process* find_process(u32 pid)
{
    for (Process& process : g_processes)
        if (process.pid() == pid)
            return &process;
    return nullptr;
}
