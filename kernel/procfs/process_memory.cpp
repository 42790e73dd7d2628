#include "process_memory.h"
#include "kernel/mm/remote_memory.h"
#include "kernel/proc/process.h"
#include "proc_file_stat.h"

namespace {

class ProcessMemoryFile final : public File {
public:
    explicit ProcessMemoryFile(u32 pid) : m_pid(pid) { }

    Result<usize> read(u8* buffer, usize count, u64 offset) override
    {
        AddressSpace* space = TRY(target());
        Errno error;
        return moved(remote_read(*space, buffer, offset, count, error), count);
    }
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override
    {
        AddressSpace* space = TRY(target());
        Errno error;
        return moved(remote_write_forced(*space, offset, buffer, count, error), count);
    }
    void stat(LinuxStat& out) const override { proc_file_stat(out, 0600); }

private:
    // The process's address space while it has one (not after it exited).
    Result<AddressSpace*> target() const
    {
        Process* process = find_process(m_pid);
        if (!process || process->state() == Process::State::Zombie)
            return Errno::IoError;
        return &process->address_space();
    }
    // What a call returns: the bytes moved, or EIO when none could be (Linux's mem_rw).
    static Result<usize> moved(usize done, usize count)
    {
        if (done == 0 && count > 0)
            return Errno::IoError;
        return done;
    }

    u32 m_pid;
};

}

Result<RefPtr<File>> open_process_memory(Process& process)
{
    Credentials const& caller = current_process().credentials;
    if (&process != &current_process() && caller.euid != 0 && caller.uid != process.credentials.uid)
        return Errno::Access;
    auto* file = new (std::nothrow) ProcessMemoryFile(process.pid());
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
