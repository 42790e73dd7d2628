#include "procfs.h"
#include "generated_file.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/lib/format.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/mapping.h"
#include "kernel/proc/process.h"
#include <cstdarg>

namespace {

constexpr usize TEXT_CAPACITY = 16 * 1024;

// Appends formatted text to a growing buffer, truncating at its capacity.
struct TextBuilder {
    char* text;
    usize length { 0 };
    void append(char const* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        va_list args;
        va_start(args, fmt);
        int n = format_to_buffer(text + length, TEXT_CAPACITY - length, fmt, args);
        va_end(args);
        length = min<usize>(length + n, TEXT_CAPACITY - 1);
    }
};

Result<RefPtr<File>> generate(void (*fill)(TextBuilder&, Process&), Process& process)
{
    char* text = new (std::nothrow) char[TEXT_CAPACITY];
    if (!text)
        return Errno::NoMemory;
    TextBuilder builder { text };
    fill(builder, process);
    return GeneratedFile::create(text, builder.length);
}

void fill_vmstat(TextBuilder& out, Process&)
{
    FrameAllocator& frames = kernel_frame_allocator();
    out.length = format_vmstat(kernel_vm_stats(), frames.total_frames(), frames.free_frames(), out.text, TEXT_CAPACITY);
    out.length = min<usize>(out.length, TEXT_CAPACITY - 1);
}

void fill_meminfo(TextBuilder& out, Process&)
{
    FrameAllocator& frames = kernel_frame_allocator();
    VmStats const& stats = kernel_vm_stats();
    u64 total_kb = frames.total_frames() * 4, free_kb = frames.free_frames() * 4;
    out.append("MemTotal:       %8lu kB\n", total_kb);
    out.append("MemFree:        %8lu kB\n", free_kb);
    out.append("MemAvailable:   %8lu kB\n", free_kb + stats.page_cache_pages * 4);
    out.append("Buffers:        %8lu kB\n", 0ul);
    out.append("Cached:         %8lu kB\n", stats.page_cache_pages * 4);
    out.append("SwapCached:     %8lu kB\n", 0ul);
    out.append("Dirty:          %8lu kB\n", stats.dirty_pages * 4);
    out.append("Writeback:      %8lu kB\n", 0ul);
    out.append("SwapTotal:      %8lu kB\n", 0ul);
    out.append("SwapFree:       %8lu kB\n", 0ul);
    out.append("CommitLimit:    %8lu kB\n", total_kb / 2);
}

void fill_kernel_command_line(TextBuilder& out, Process&) { out.append("%s\n", kernel_command_line()); }

void fill_maps(TextBuilder& out, Process& process)
{
    for (Mapping const& m : process.address_space().mappings()) {
        out.append("%012lx-%012lx %c%c%c%c %08lx 00:00 0", m.start(), m.end(), m.is_readable() ? 'r' : '-',
            m.is_writable() ? 'w' : '-', m.is_executable() ? 'x' : '-', m.is_shared() ? 's' : 'p', m.file_offset());
        if (m.name()[0])
            out.append("                          %s", m.name());
        out.append("\n");
    }
}

// The command name Linux shows in stat and status: the executable's base name, 15 bytes.
void command_name(Process& process, char out[16])
{
    char const* path = process.executable_path();
    char const* base = path;
    for (char const* p = path; *p; ++p)
        if (*p == '/')
            base = p + 1;
    usize n = min<usize>(strlen(base), 15);
    memcpy(out, base, n);
    out[n] = '\0';
}

char state_letter(Process& process)
{
    if (process.state() == Process::State::Zombie)
        return 'Z';
    Thread* thread = process.main_thread();
    return thread && thread->state == Thread::State::Blocked ? 'S' : 'R';
}

u64 mapped_bytes(Process& process)
{
    u64 total = 0;
    if (process.state() == Process::State::Zombie)
        return 0;
    for (Mapping const& m : process.address_space().mappings())
        total += m.size();
    return total;
}

u64 resident_pages(Process& process)
{
    return process.state() == Process::State::Zombie ? 0 : process.address_space().resident_pages();
}

u32 parent_pid(Process& process) { return process.parent() ? process.parent()->pid() : 0; }

void fill_stat(TextBuilder& out, Process& process)
{
    char name[16];
    command_name(process, name);
    // Fields of proc(5) /proc/pid/stat, 1..52; those Pagoda does not track are 0.
    out.append("%u (%s) %c %u %u %u 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 0 %lu %lu 18446744073709551615",
        process.pid(), name, state_letter(process), parent_pid(process), process.pid(), process.pid(),
        mapped_bytes(process), resident_pages(process));
    out.append(" 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

void fill_status(TextBuilder& out, Process& process)
{
    char name[16];
    command_name(process, name);
    char state = state_letter(process);
    char const* state_name = state == 'Z' ? "zombie" : state == 'S' ? "sleeping" : "running";
    out.append("Name:\t%s\nUmask:\t0022\nState:\t%c (%s)\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n", name, state,
        state_name, process.pid(), process.pid(), parent_pid(process));
    out.append("TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n", FdTable::MAX_FDS);
    out.append("VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t1\n", mapped_bytes(process) / 1024,
        resident_pages(process) * 4);
    out.append("SigPnd:\t%016lx\nSigBlk:\t%016lx\n", process.pending_signals, process.signal_mask);
}

void fill_cmdline(TextBuilder& out, Process& process)
{
    usize n = min<usize>(process.command_line_length(), TEXT_CAPACITY - 1);
    memcpy(out.text, process.command_line(), n);
    out.length = n;
}

// "self/..." or "<pid>/...": the process and the rest of the path, or nullptr.
Process* process_for(char const* path, char const** rest)
{
    if (strncmp(path, "self/", 5) == 0) {
        *rest = path + 5;
        return &current_process();
    }
    u32 pid = 0;
    char const* p = path;
    while (*p >= '0' && *p <= '9')
        pid = pid * 10 + (*p++ - '0');
    if (p == path || *p != '/')
        return nullptr;
    *rest = p + 1;
    return find_process(pid);
}

}

Result<RefPtr<File>> procfs_open(char const* path)
{
    Process& self = current_process();
    if (strcmp(path, "vmstat") == 0)
        return generate(fill_vmstat, self);
    if (strcmp(path, "meminfo") == 0)
        return generate(fill_meminfo, self);
    if (strcmp(path, "cmdline") == 0)
        return generate(fill_kernel_command_line, self);
    char const* rest;
    if (Process* process = process_for(path, &rest)) {
        if (strcmp(rest, "maps") == 0) {
            if (process->state() == Process::State::Zombie)
                return GeneratedFile::create(new (std::nothrow) char[1], 0);
            return generate(fill_maps, *process);
        }
        if (strcmp(rest, "stat") == 0)
            return generate(fill_stat, *process);
        if (strcmp(rest, "status") == 0)
            return generate(fill_status, *process);
        if (strcmp(rest, "cmdline") == 0)
            return generate(fill_cmdline, *process);
    }
    return Errno::NoEntry;
}

Result<usize> procfs_readlink(char const* path, char* out, usize capacity)
{
    char const* rest;
    Process* process = process_for(path, &rest);
    if (!process || strcmp(rest, "exe") != 0)
        return Errno::NoEntry;
    usize length = strlen(process->executable_path());
    usize n = min(length, capacity);
    memcpy(out, process->executable_path(), n);
    return n;
}
