#include "process.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/arch/x86_64/x86_page_table.h"
#include "kernel/fs/console.h"
#include "kernel/lib/memory.h"
#include "kernel/log.h"
#include "scheduler.h"

namespace {
IntrusiveList<Process, &Process::all_processes_node> g_processes;
u32 g_next_pid = 1;
}

[[noreturn]] void shutdown_after_init_exit(int wait_status);

Process::Process() : m_pid(g_next_pid++) { g_processes.append(*this); }

Result<Process*> Process::create_first()
{
    auto* process = new (std::nothrow) Process;
    if (!process)
        return Errno::NoMemory;
    process->m_address_space = TRY(AddressSpace::create(kernel_memory_context()));
    RefPtr<File> console = Console::the();
    for (int fd = 0; fd < 3; ++fd) {
        auto* open_file = new (std::nothrow) OpenFile(console, O_RDWR);
        if (!open_file)
            return Errno::NoMemory;
        process->m_fds.install(fd, adopt_ref(open_file), false);
    }
    return process;
}

void Process::set_address_space(RefPtr<AddressSpace> space) { m_address_space = static_cast<RefPtr<AddressSpace>&&>(space); }

u64 Process::page_table_physical() { return static_cast<X86PageTable&>(m_address_space->page_table()).pml4_physical(); }

void Process::set_executable_path(char const* path)
{
    usize n = min<usize>(strlen(path), sizeof m_executable_path - 1);
    memcpy(m_executable_path, path, n);
    m_executable_path[n] = '\0';
}

void Process::exit(int wait_status)
{
    m_wait_status = wait_status;
    m_state = State::Zombie;
    m_fds.close_all();
    if (m_pid == 1)
        shutdown_after_init_exit(wait_status);
    // Leave this address space before dropping what may be the last reference to it.
    cpu::write_cr3(kernel_pml4_physical());
    m_address_space.clear();
    thread_exit_current_noreturn();
}

Process& current_process()
{
    Thread* thread = current_thread();
    VERIFY(thread && thread->process());
    return *thread->process();
}

Process* find_process(u32 pid)
{
    for (Process& process : g_processes)
        if (process.pid() == pid && process.state() == Process::State::Running)
            return &process;
    return nullptr;
}
