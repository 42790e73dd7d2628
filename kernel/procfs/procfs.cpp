#include "procfs.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/fs/generated_file.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/format.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/mapping.h"
#include "kernel/proc/process.h"
#include "kernel/runtime/heap.h"
#include "pagemap.h"
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
    out.length = format_vmstat(kernel_memory_context().stats, frames, out.text, TEXT_CAPACITY);
    out.length = min<usize>(out.length, TEXT_CAPACITY - 1);
    // The kernel heap (runtime/heap.h): bytes in use, bytes of frames mapped for it, blocks in use.
    out.append("kernel_heap_bytes %lu\nkernel_heap_mapped %lu\nkernel_heap_objects %lu\n", heap_bytes_used(), heap_bytes_mapped(),
        heap_blocks_used());
}

void fill_meminfo(TextBuilder& out, Process&)
{
    FrameAllocator& frames = kernel_frame_allocator();
    VmStats const& stats = kernel_memory_context().stats;
    u64 total_kb = frames.total_frames() * 4, free_kb = frames.free_frames() * 4;
    out.append("MemTotal:       %8lu kB\n", total_kb);
    out.append("MemFree:        %8lu kB\n", free_kb);
    // Available: what user allocations may still take (the kernel's reserve excluded) plus
    // the cache pages reclaim can drop (not tmpfs or shared anonymous pages, the only copy).
    u64 available_kb = (frames.user_free_frames() + stats.page_cache_pages - stats.unbacked_pages) * 4;
    out.append("MemAvailable:   %8lu kB\n", available_kb);
    out.append("Buffers:        %8lu kB\n", 0ul);
    out.append("Cached:         %8lu kB\n", stats.page_cache_pages * 4);
    out.append("SwapCached:     %8lu kB\n", 0ul);
    out.append("Dirty:          %8lu kB\n", stats.dirty_pages * 4);
    out.append("Writeback:      %8lu kB\n", 0ul);
    out.append("SwapTotal:      %8lu kB\n", 0ul);
    out.append("SwapFree:       %8lu kB\n", 0ul);
    out.append("Shmem:          %8lu kB\n", stats.unbacked_pages * 4);
    out.append("CommitLimit:    %8lu kB\n", total_kb / 2);
    out.append("KernelHeap:     %8lu kB\n", heap_bytes_used() / 1024);
}

void fill_kernel_command_line(TextBuilder& out, Process&) { out.append("%s\n", boot_command_line()); }

void fill_maps(TextBuilder& out, Process& process)
{
    if (process.state() == Process::State::Zombie)
        return;
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
    // Running if any thread runs or may run, as Linux shows the group leader's state.
    bool running = false;
    process.for_each_thread([&](Thread& thread) { running |= thread.state != Thread::State::Blocked; });
    return running ? 'R' : 'S';
}

u64 mapped_bytes(Process& process)
{
    return process.state() == Process::State::Zombie ? 0 : process.address_space().mapped_bytes();
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
    out.append("%u (%s) %c %u %u %u 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 0 %lu %lu 18446744073709551615", process.pid(), name,
        state_letter(process), parent_pid(process), process.pid(), process.pid(), mapped_bytes(process), resident_pages(process));
    out.append(" 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

void fill_status(TextBuilder& out, Process& process)
{
    char name[16];
    command_name(process, name);
    char state = state_letter(process);
    char const* state_name = state == 'Z' ? "zombie" : state == 'S' ? "sleeping" : "running";
    out.append("Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n", name, process.umask(),
        state, state_name, process.pid(), process.pid(), parent_pid(process));
    out.append("TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n", process.fds().capacity());
    out.append("VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%lu\n", mapped_bytes(process) / 1024, resident_pages(process) * 4,
        process.thread_count());
    // The first thread's own pending set and mask, and the process's shared pending set.
    Thread* first = process.first_thread();
    out.append("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n", first ? first->pending_signals : 0, process.pending_signals,
        first ? first->signal_mask : 0);
}

void fill_cmdline(TextBuilder& out, Process& process)
{
    usize n = min<usize>(process.command_line_length(), TEXT_CAPACITY - 1);
    memcpy(out.text, process.command_line(), n);
    out.length = n;
}

}

// Every /proc inode: a folder (the root, or one per process), a generated text file, the
// pagemap, or a symbolic link. They are made on lookup and live while someone holds them.
class ProcInode final : public Inode {
public:
    enum class Kind {
        Root,
        ProcessFolder,
        Text,
        Pagemap,
        Link
    };
    using Generator = void (*)(TextBuilder&, Process&);

    ProcInode(Kind kind, u32 pid, Generator generator = nullptr, char const* link = nullptr)
        : m_kind(kind), m_pid(pid), m_generator(generator), m_link(link)
    { }

    u64 number() const override { return (u64(m_pid) << 8) | u64(m_kind) | (m_generator ? 0x80 : 0); }
    u64 device() const override { return proc_device(); }
    u64 stored_size() override { return 0; }

    u32 mode() override
    {
        switch (m_kind) {
        case Kind::Root:
        case Kind::ProcessFolder:
            return MODE_DIRECTORY | 0555;
        case Kind::Link:
            return MODE_SYMLINK | 0777;
        case Kind::Pagemap:
            return MODE_REGULAR | 0400;
        case Kind::Text:
            return MODE_REGULAR | 0444;
        }
        return 0;
    }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = proc_device();
        out.st_ino = number();
        out.st_mode = mode();
        out.st_nlink = (mode() & MODE_TYPE_MASK) == MODE_DIRECTORY ? 2 : 1;
        out.st_blksize = 1024;
    }

    Result<RefPtr<Inode>> lookup(Name name) override;
    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override;
    Result<usize> read_link(char* out, usize capacity) override;
    Result<RefPtr<File>> open(int flags) override;

private:
    static u64 proc_device()
    {
        static u64 device = allocate_device_number();
        return device;
    }
    Process* process() const { return find_process(m_pid); }

    Kind m_kind;
    u32 m_pid;
    Generator m_generator;
    char const* m_link;
};

namespace {

struct ProcFileName {
    char const* name;
    ProcInode::Generator generator;
};

// Files of /proc itself, and of each /proc/<pid>.
ProcFileName const ROOT_FILES[]
    = { { "vmstat", fill_vmstat }, { "meminfo", fill_meminfo }, { "cmdline", fill_kernel_command_line } };
ProcFileName const PROCESS_FILES[]
    = { { "maps", fill_maps }, { "stat", fill_stat }, { "status", fill_status }, { "cmdline", fill_cmdline } };

bool name_is(Name name, char const* text)
{
    return strlen(text) == name.length && memcmp(text, name.characters, name.length) == 0;
}

Result<RefPtr<Inode>> make(ProcInode::Kind kind, u32 pid, ProcInode::Generator generator = nullptr, char const* link = nullptr)
{
    auto* inode = new (std::nothrow) ProcInode(kind, pid, generator, link);
    if (!inode)
        return Errno::NoMemory;
    return adopt_ref<Inode>(inode);
}

bool parse_pid(Name name, u32& pid)
{
    pid = 0;
    if (name.length == 0 || name.length > 9)
        return false;
    for (usize i = 0; i < name.length; ++i) {
        if (name.characters[i] < '0' || name.characters[i] > '9')
            return false;
        pid = pid * 10 + (name.characters[i] - '0');
    }
    return true;
}

}

Result<RefPtr<Inode>> ProcInode::lookup(Name name)
{
    if (m_kind == Kind::Root) {
        for (auto const& file : ROOT_FILES)
            if (name_is(name, file.name))
                return make(Kind::Text, current_process().pid(), file.generator);
        if (name_is(name, "self"))
            return make(Kind::Link, current_process().pid(), nullptr, "self");
        u32 pid;
        if (parse_pid(name, pid) && find_process(pid))
            return make(Kind::ProcessFolder, pid);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::ProcessFolder) {
        if (!process())
            return Errno::NoEntry;
        for (auto const& file : PROCESS_FILES)
            if (name_is(name, file.name))
                return make(Kind::Text, m_pid, file.generator);
        if (name_is(name, "pagemap"))
            return make(Kind::Pagemap, m_pid);
        if (name_is(name, "exe"))
            return make(Kind::Link, m_pid, nullptr, "exe");
        return Errno::NoEntry;
    }
    return Errno::NotDirectory;
}

Result<void> ProcInode::read_directory(u64& cookie, DirectoryVisitor visit)
{
    if (m_kind != Kind::Root && m_kind != Kind::ProcessFolder)
        return Errno::NotDirectory;
    // Cookies count entries: ".", "..", the fixed files, then (root only) "self" and the pids.
    u64 index = 0;
    auto offer = [&](char const* name, u64 number, u8 type) {
        if (index++ < cookie)
            return true;
        if (!visit(Name { name, strlen(name) }, number, type))
            return false;
        cookie = index;
        return true;
    };
    if (!offer(".", number(), DT_DIR) || !offer("..", 1, DT_DIR))
        return {};
    if (m_kind == Kind::ProcessFolder) {
        for (auto const& file : PROCESS_FILES)
            if (!offer(file.name, number() + 1, DT_REG))
                return {};
        if (!offer("pagemap", number() + 2, DT_REG) || !offer("exe", number() + 3, DT_LNK))
            return {};
        return {};
    }
    for (auto const& file : ROOT_FILES)
        if (!offer(file.name, 2, DT_REG))
            return {};
    if (!offer("self", 3, DT_LNK))
        return {};
    bool more = true;
    for_each_process([&](Process& p) {
        char name[16];
        format(name, sizeof name, "%u", p.pid());
        if (more)
            more = offer(name, u64(p.pid()) << 8, DT_DIR);
    });
    return {};
}

Result<usize> ProcInode::read_link(char* out, usize capacity)
{
    if (m_kind != Kind::Link)
        return Errno::Invalid;
    char number[16];
    char const* text = number;
    if (strcmp(m_link, "self") == 0) {
        format(number, sizeof number, "%u", m_pid);
    } else {
        Process* owner = process();
        if (!owner)
            return Errno::NoEntry;
        text = owner->executable_path(); // up to PATH_MAX bytes
    }
    usize n = min(strlen(text), capacity);
    memcpy(out, text, n);
    return n;
}

Result<RefPtr<File>> ProcInode::open(int flags)
{
    if ((flags & O_ACCMODE) != O_RDONLY)
        return Errno::Access;
    if (m_kind == Kind::Root || m_kind == Kind::ProcessFolder)
        return InodeFile::create(RefPtr<Inode>(this));
    Process* owner = process();
    if (!owner)
        return Errno::NoEntry;
    if (m_kind == Kind::Pagemap)
        return open_pagemap(*owner);
    if (m_kind == Kind::Text)
        return generate(m_generator, *owner);
    return Errno::Invalid;
}

Result<RefPtr<Inode>> procfs_create_root() { return make(ProcInode::Kind::Root, 0); }
