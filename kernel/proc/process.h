// A Process: an address space, open files and one thread, plus its place in the family
// tree (parent, children) and, once it has exited, its status for the parent to collect.
#pragma once

#include "kernel/fs/fd_table.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/mm/address_space.h"
#include "thread.h"

struct SignalAction {
    u64 handler { 0 }; // SIG_DFL = 0, SIG_IGN = 1, else a user function
    u64 flags { 0 };
    u64 restorer { 0 };
    u64 mask { 0 };
};

constexpr int SIGNAL_COUNT = 64;
constexpr int SIGKILL = 9, SIGSEGV = 11, SIGBUS = 7, SIGILL = 4, SIGFPE = 8, SIGTRAP = 5, SIGCHLD = 17;

class Process {
public:
    enum class State { Running, Zombie };

    // A process with an empty address space and the console on fds 0, 1, 2.
    static Result<Process*> create_first();

    u32 pid() const { return m_pid; }
    Process* parent() const { return m_parent; }
    State state() const { return m_state; }
    AddressSpace& address_space() { return *m_address_space; }
    void set_address_space(RefPtr<AddressSpace>);
    u64 page_table_physical();
    FdTable& fds() { return m_fds; }
    Thread* main_thread() const { return m_thread; }
    void set_main_thread(Thread* thread) { m_thread = thread; }

    char const* executable_path() const { return m_executable_path; }
    void set_executable_path(char const*);
    char const* cwd() const { return m_cwd; }

    SignalAction signal_actions[SIGNAL_COUNT];
    u64 signal_mask { 0 };

    // Ends the process with a wait(2)-style status (exit code << 8, or the signal number).
    // Called by its own thread; does not return.
    [[noreturn]] void exit(int wait_status);

    ListNode all_processes_node;

private:
    Process();

    u32 m_pid;
    Process* m_parent { nullptr };
    State m_state { State::Running };
    int m_wait_status { 0 };
    RefPtr<AddressSpace> m_address_space;
    FdTable m_fds;
    Thread* m_thread { nullptr };
    char m_executable_path[256] {};
    char m_cwd[256] { "" };
};

Process& current_process();
Process* find_process(u32 pid);
// Decoding of wait statuses, as <sys/wait.h> does.
constexpr int wait_status_exited(int code) { return (code & 0xff) << 8; }
constexpr int wait_status_signaled(int signal) { return signal & 0x7f; }

// The machine-wide VM state, set up at boot (kernel/main.cpp).
MemoryContext& kernel_memory_context();
VmStats& kernel_vm_stats();
