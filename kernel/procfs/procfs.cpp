#include "procfs.h"
#include "core_files.h"
#include "drop_caches.h"
#include "fs_sysctl.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/arch/x86_64/kernel_mode_lock.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/dev/clock.h"
#include "kernel/dev/disk_stats.h"
#include "kernel/fs/generated_file.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/format.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/mapping.h"
#include "kernel/mm/reverse_map.h"
#include "kernel/proc/exec_layout.h"
#include "kernel/proc/process.h"
#include "kernel/runtime/heap.h"
#include "kernel_config.h"
#include "pagemap.h"
#include "process_memory.h"
#include "system_files.h"
#include "sysvipc.h"
#include "text_builder.h"
#include "trace_file.h"

namespace {

template<typename Fill> Result<RefPtr<File>> generate(Fill fill, GeneratedFile::Writer writer = nullptr)
{
    char* text = new (std::nothrow) char[TEXT_CAPACITY];
    if (!text)
        return Errno::NoMemory;
    TextBuilder builder { text };
    fill(builder);
    return GeneratedFile::create(text, builder.length, MODE_REGULAR | (writer ? 0644 : 0444), writer);
}

void fill_vmstat(TextBuilder& out, Process&)
{
    FrameAllocator& frames = kernel_frame_allocator();
    out.length = format_vmstat(kernel_memory_context().stats, frames, out.text, TEXT_CAPACITY);
    out.length = min<usize>(out.length, TEXT_CAPACITY - 1);
    // The kernel heap (runtime/heap.h): bytes in use, bytes of frames mapped for it, blocks in use.
    out.append("kernel_heap_bytes %lu\nkernel_heap_mapped %lu\nkernel_heap_objects %lu\n", heap_bytes_used(), heap_bytes_mapped(),
        heap_blocks_used());
    // The disk driver (dev/disk_stats.h): requests, pieces merged into a neighbour's request,
    // the most requests in flight at once.
    DiskStats const& disk = disk_stats();
    out.append("disk_requests %lu\ndisk_read_requests %lu\ndisk_pieces %lu\ndisk_pieces_merged %lu\ndisk_max_in_flight %lu\n"
               "disk_missed_interrupts %lu\n",
        disk.requests, disk.read_requests, disk.pieces, disk.pieces_merged, disk.max_in_flight, disk.missed_interrupts);
    // The kernel-mode lock (arch/x86_64/kernel_mode_lock.h): entries that waited for another
    // CPU's kernel code, the TSC cycles they waited, parallel faults refused for it.
    KernelModeLockStats lock = kernel_mode_lock_stats();
    out.append("kernel_mode_lock_contended %lu\nkernel_mode_lock_wait_cycles %lu\nkernel_mode_lock_shared_refused %lu\n",
        lock.contended, lock.wait_cycles, lock.shared_refused);
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
    out.append("KernelStack:    %8lu kB\n", kernel_stack_bytes() / 1024);
    out.append("PageTables:     %8lu kB\n", frames.page_table_frames() * 4);
    out.append("CommitLimit:    %8lu kB\n", total_kb / 2);
    out.append("KernelHeap:     %8lu kB\n", heap_bytes_used() / 1024);
}

void fill_kernel_command_line(TextBuilder& out, Process&) { out.append("%s\n", boot_command_line()); }

// One line of /proc/<pid>/maps (also the head of each /proc/<pid>/smaps entry).
void append_maps_line(TextBuilder& out, Mapping const& m)
{
    out.append("%012lx-%012lx %c%c%c%c %08lx 00:00 0", m.start(), m.end(), m.is_readable() ? 'r' : '-',
        m.is_writable() ? 'w' : '-', m.is_executable() ? 'x' : '-', m.is_shared() ? 's' : 'p', m.file_offset());
    if (m.name()[0])
        out.append("                          %s", m.name());
    out.append("\n");
}

void fill_maps(TextBuilder& out, Process& process)
{
    if (process.state() == Process::State::Zombie)
        return;
    for (Mapping const& m : process.address_space().mappings())
        append_maps_line(out, m);
}

// /proc/<pid>/smaps: each mapping with what its pages cost, as Linux counts them: Rss the
// present pages but the zero frame; a page is shared when more than one entry maps it
// (a cache frame's refcount also holds the cache's own reference); Pss splits each page
// among its mappers; Locked is the Pss of a locked mapping. Only the fields Pagoda can
// fill truthfully are there (no huge pages, no swap).
// What smaps counts for one mapping (or, summed, for smaps_rollup), in pages except Pss.
struct SmapsCounts {
    u64 rss = 0, pss_bytes = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0, referenced = 0,
        anonymous = 0, locked_pss_bytes = 0;

    void add(SmapsCounts const& other)
    {
        rss += other.rss, pss_bytes += other.pss_bytes, shared_clean += other.shared_clean, shared_dirty += other.shared_dirty;
        private_clean += other.private_clean, private_dirty += other.private_dirty, referenced += other.referenced;
        anonymous += other.anonymous, locked_pss_bytes += other.locked_pss_bytes;
    }
};

// A page is shared when more than one page table maps its frame (the page cache's own
// reference does not count, as Linux counts mappings, not references); Pss gives each
// mapper its share.
SmapsCounts count_smaps(AddressSpace& space, Mapping const& m)
{
    MemoryContext& context = space.context();
    SmapsCounts counts;
    space.page_table().for_each_present(m.start(), m.end(), [&](VirtAddr va, PteInfo const& pte) {
        if (pte.frame == context.zero_frame)
            return;
        bool cached = m.cache() && maps_cache_frame(m, va, pte.frame);
        u64 mappers = context.frames.ref_count(pte.frame) - (cached ? 1 : 0);
        // A frame that is not the page cache's (anonymous memory, a private copy) exists
        // nowhere else, so it is dirty whatever its PTE says (fork may have cleaned it).
        bool dirty = pte.dirty || !cached || m.cache()->is_dirty(m.file_index(va));
        ++counts.rss;
        counts.pss_bytes += PAGE_SIZE / (mappers ? mappers : 1);
        (mappers > 1 ? (dirty ? counts.shared_dirty : counts.shared_clean)
                     : (dirty ? counts.private_dirty : counts.private_clean))
            += 1;
        counts.referenced += pte.accessed;
        counts.anonymous += !cached && !m.is_shared();
    });
    if (m.is_locked())
        counts.locked_pss_bytes = counts.pss_bytes;
    return counts;
}

void append_smaps_counts(TextBuilder& out, SmapsCounts const& c)
{
    out.append("Rss:            %8lu kB\nPss:            %8lu kB\n", c.rss * 4, c.pss_bytes / 1024);
    out.append("Shared_Clean:   %8lu kB\nShared_Dirty:   %8lu kB\n", c.shared_clean * 4, c.shared_dirty * 4);
    out.append("Private_Clean:  %8lu kB\nPrivate_Dirty:  %8lu kB\n", c.private_clean * 4, c.private_dirty * 4);
    out.append("Referenced:     %8lu kB\nAnonymous:      %8lu kB\n", c.referenced * 4, c.anonymous * 4);
    out.append("Swap:                  0 kB\nLocked:         %8lu kB\n", c.locked_pss_bytes / 1024);
}

void fill_smaps(TextBuilder& out, Process& process)
{
    if (process.state() == Process::State::Zombie)
        return;
    AddressSpace& space = process.address_space();
    for (Mapping const& m : space.mappings()) {
        append_maps_line(out, m);
        out.append("Size:           %8lu kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\n", m.size() / 1024);
        append_smaps_counts(out, count_smaps(space, m));
        out.append("VmFlags:%s%s%s%s%s%s%s%s%s%s%s\n", m.is_readable() ? " rd" : "", m.is_writable() ? " wr" : "",
            m.is_executable() ? " ex" : "", m.is_shared() ? " sh" : "", m.allows(VM_READ) ? " mr" : "",
            m.allows(VM_WRITE) ? " mw" : "", m.allows(VM_EXEC) ? " me" : "", m.is_shared() ? " ms" : "",
            m.is_locked() ? " lo" : "", m.has(VM_DONTCOPY) ? " dc" : "", m.has(VM_WIPEONFORK) ? " wf" : "");
    }
}

// /proc/<pid>/smaps_rollup: the sums of smaps over every mapping, under one line that spans
// them all, as Linux prints it.
void fill_smaps_rollup(TextBuilder& out, Process& process)
{
    if (process.state() == Process::State::Zombie)
        return;
    AddressSpace& space = process.address_space();
    SmapsCounts total;
    VirtAddr first = 0, last = 0;
    for (Mapping const& m : space.mappings()) {
        if (!first)
            first = m.start();
        last = m.end();
        total.add(count_smaps(space, m));
    }
    out.append("%08lx-%08lx ---p 00000000 00:00 0                          [rollup]\n", first, last);
    append_smaps_counts(out, total);
}

// The command name Linux shows in stat and status: the thread's (Linux's comm), for the
// process its first thread's; a zombie's is its executable's base name. 15 bytes at most.
void command_name(Process& process, Thread* thread, char out[COMMAND_NAME_MAX + 1])
{
    Thread* named = thread ? thread : process.find_thread(process.pid());
    char const* name = named ? named->name() : base_name(process.executable_path());
    usize n = min<usize>(strlen(name), COMMAND_NAME_MAX);
    memcpy(out, name, n);
    out[n] = '\0';
}

char thread_state_letter(Thread const& thread) { return thread.state == Thread::State::Blocked ? 'S' : 'R'; }

char state_letter(Process& process)
{
    if (process.state() == Process::State::Zombie)
        return 'Z';
    // The first thread's state, as Linux shows its group leader's (the process sleeps in a
    // futex while another of its threads reads this file: 'S').
    Thread* first = process.first_thread();
    return first ? thread_state_letter(*first) : 'Z';
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

// /proc/<pid>/stat, or with `thread` /proc/<pid>/task/<tid>/stat: that thread's id, state
// and CPU time.
void fill_stat_of(TextBuilder& out, Process& process, Thread* thread)
{
    char name[COMMAND_NAME_MAX + 1];
    command_name(process, thread, name);
    constexpr u64 NS_PER_TICK = 10000000; // clock ticks of 1/100 s
    CpuTimes times = thread ? thread_cpu_times(*thread) : process.cpu_times();
    CpuTimes children = process.children_cpu_times();
    Thread* shown = thread ? thread : process.first_thread();
    int nice = shown ? shown->nice : 0; // a zombie has no threads left
    // Fields of proc(5) /proc/pid/stat, 1..52; those Pagoda does not track are 0.
    out.append("%u (%s) %c %u %u %u 0 -1 4194304 0 0 0 0 %lu %lu %lu %lu %d %d %lu 0 0 %lu %lu 18446744073709551615",
        thread ? thread->tid() : process.pid(), name, thread ? thread_state_letter(*thread) : state_letter(process),
        parent_pid(process), process.process_group(), process.session(), times.user_ns / NS_PER_TICK,
        times.system_ns / NS_PER_TICK, children.user_ns / NS_PER_TICK, children.system_ns / NS_PER_TICK, 20 + nice, nice,
        process.thread_count(), mapped_bytes(process), resident_pages(process));
    out.append(" 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

void fill_status_of(TextBuilder& out, Process& process, Thread* thread)
{
    char name[COMMAND_NAME_MAX + 1];
    command_name(process, thread, name);
    char state = thread ? thread_state_letter(*thread) : state_letter(process);
    char const* state_name = state == 'Z' ? "zombie" : state == 'S' ? "sleeping" : "running";
    out.append("Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n", name, process.umask(),
        state, state_name, process.pid(), thread ? thread->tid() : process.pid(), parent_pid(process));
    Credentials const& who = process.credentials; // real, effective, saved, file-system ids
    out.append("TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n", who.uid, who.euid, who.suid, who.fsuid,
        who.gid, who.egid, who.sgid, who.fsgid, process.fds().capacity());
    u64 locked = process.state() == Process::State::Zombie ? 0 : process.address_space().locked_bytes();
    // VmSwap is always 0: Pagoda has no swap.
    out.append("VmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmRSS:\t%8lu kB\nVmSwap:\t%8lu kB\nThreads:\t%lu\n",
        mapped_bytes(process) / 1024, locked / 1024, resident_pages(process) * 4, 0ul, process.thread_count());
    // The thread's own pending set and mask (the first thread's for the process), and the
    // process's shared pending set.
    Thread* shown = thread ? thread : process.first_thread();
    out.append("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n", shown ? shown->pending.bits() : 0, process.pending.bits(),
        shown ? shown->signal_mask : 0);
    out.append("Syscalls:\t%lu\n", process.system_calls); // Pagoda's own: not in Linux's status
}

// /proc/<pid>/comm and /proc/<pid>/task/<tid>/comm: the command name and a newline.
void fill_comm_of(TextBuilder& out, Process& process, Thread* thread)
{
    char name[COMMAND_NAME_MAX + 1];
    command_name(process, thread, name);
    out.append("%s\n", name);
}

void fill_comm(TextBuilder& out, Process& process) { fill_comm_of(out, process, nullptr); }

// /proc/<pid>/timerslack_ns: the timer slack of the process's thread with its id, as Linux
// shows the thread-group leader's (prctl PR_SET_TIMERSLACK); empty for a zombie, which has no
// threads left. Read-only here (Linux lets it be written, by the process or with CAP_SYS_NICE).
void fill_timerslack_ns(TextBuilder& out, Process& process)
{
    Thread* shown = process.find_thread(process.pid());
    if (!shown)
        shown = process.first_thread();
    if (shown)
        out.append("%lu\n", shown->timer_slack_ns);
}
void fill_stat(TextBuilder& out, Process& process) { fill_stat_of(out, process, nullptr); }
void fill_status(TextBuilder& out, Process& process) { fill_status_of(out, process, nullptr); }

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
        Memory, // /proc/<pid>/mem
        Link,
        TaskFolder, // /proc/<pid>/task
        ThreadFolder, // /proc/<pid>/task/<tid>
        ThreadText, // its stat and status
        SysFolder, // /proc/sys
        SysSubfolder, // /proc/sys/kernel (its name in m_link)
        FdFolder, // /proc/<pid>/fd
        FdLink, // /proc/<pid>/fd/<n> (n in m_tid): a magic link to the open file
        SysvipcFolder, // /proc/sysvipc
        PagodaFolder, // /proc/pagoda: what only Pagoda has
        VmTrace, // /proc/pagoda/trace (trace_file.h)
    };
    using Generator = void (*)(TextBuilder&, Process&);
    using ThreadGenerator = void (*)(TextBuilder&, Process&, Thread*);

    ProcInode(Kind kind, u32 pid, Generator generator = nullptr, char const* link = nullptr, u32 tid = 0,
        ThreadGenerator thread_generator = nullptr)
        : m_kind(kind)
        , m_pid(pid)
        , m_tid(tid)
        , m_generator(generator)
        , m_thread_generator(thread_generator)
        , m_link(link)
        , m_made_at(realtime_nanoseconds())
    { }

    u64 number() const override
    {
        return (u64(m_tid) << 40) | (u64(m_pid) << 8) | u64(m_kind) | (m_generator || m_thread_generator ? 0x80 : 0);
    }
    u64 device() const override { return proc_device(); }
    u64 stored_size() override { return 0; }
    Result<void> statfs(LinuxStatfs& out) override
    {
        constexpr i64 PROC_SUPER_MAGIC = 0x9fa0;
        statfs_without_storage(out, PROC_SUPER_MAGIC);
        return {};
    }

    u32 mode() override
    {
        switch (m_kind) {
        case Kind::Root:
        case Kind::ProcessFolder:
        case Kind::TaskFolder:
        case Kind::ThreadFolder:
        case Kind::SysFolder:
        case Kind::SysSubfolder:
        case Kind::SysvipcFolder:
            return MODE_DIRECTORY | 0555;
        case Kind::FdFolder:
            return MODE_DIRECTORY | 0500;
        case Kind::PagodaFolder:
            return MODE_DIRECTORY | 0555;
        case Kind::VmTrace:
            return MODE_REGULAR | 0600;
        case Kind::Link:
            return MODE_SYMLINK | 0777;
        case Kind::FdLink: {
            // As Linux: the owner's read and write bits say how the file is open.
            RefPtr<OpenFile> file = file_behind_link();
            if (!file)
                return MODE_SYMLINK | 0700;
            return MODE_SYMLINK | (file->can_read() ? 0500 : 0100) | (file->can_write() ? 0200 : 0);
        }
        case Kind::Pagemap:
            return MODE_REGULAR | 0400;
        case Kind::Memory:
            return MODE_REGULAR | 0600;
        case Kind::Text:
            return MODE_REGULAR | (m_writer ? 0644 : 0444);
        case Kind::ThreadText:
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
        // As Linux's: the time the inode was made (its first lookup), and a process's files
        // belong to whom the process runs as.
        out.st_atime = out.st_mtime = out.st_ctime = m_made_at / 1000000000;
        out.st_atime_nsec = out.st_mtime_nsec = out.st_ctime_nsec = m_made_at % 1000000000;
        if (Process* owner = m_pid ? process() : nullptr) {
            out.st_uid = owner->credentials.euid;
            out.st_gid = owner->credentials.egid;
        }
    }

    Result<RefPtr<Inode>> lookup(Name name) override;
    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override;
    Result<usize> read_link(char* out, usize capacity) override;
    Result<RefPtr<File>> open(int flags) override;
    RefPtr<OpenFile> file_behind_link() override
    {
        Process* owner = process();
        if (m_kind != Kind::FdLink || !owner || owner->state() == Process::State::Zombie)
            return nullptr;
        auto file = owner->fds().get_even_if_path_only(static_cast<int>(m_tid));
        return file.is_error() ? nullptr : file.release_value();
    }

    // A /proc/sys tunable: writable (by root, the owner), writes going to `writer`.
    void set_writer(GeneratedFile::Writer writer) { m_writer = writer; }

private:
    static u64 proc_device()
    {
        static u64 device = allocate_device_number();
        return device;
    }
    Process* process() const { return find_process(m_pid); }
    Thread* thread() const
    {
        Process* owner = process();
        return owner ? owner->find_thread(m_tid) : nullptr;
    }

    Kind m_kind;
    u32 m_pid;
    u32 m_tid;
    Generator m_generator;
    ThreadGenerator m_thread_generator;
    char const* m_link;
    u64 m_made_at; // realtime nanoseconds
    GeneratedFile::Writer m_writer { nullptr };
};

namespace {

struct ProcFileName {
    char const* name;
    ProcInode::Generator generator;
};

// Files of /proc itself, and of each /proc/<pid>.
ProcFileName const ROOT_FILES[] = { { "vmstat", fill_vmstat }, { "meminfo", fill_meminfo },
    { "cmdline", fill_kernel_command_line }, { "uptime", fill_uptime }, { "loadavg", fill_loadavg }, { "stat", fill_system_stat },
    { "cpuinfo", fill_cpuinfo }, { "mounts", fill_mounts }, { "partitions", fill_partitions }, { "config.gz", fill_config_gz },
    { "filesystems", fill_filesystems } };
ProcFileName const PROCESS_FILES[] = { { "maps", fill_maps }, { "smaps", fill_smaps }, { "stat", fill_stat },
    { "status", fill_status }, { "cmdline", fill_cmdline }, { "mounts", fill_mounts }, { "comm", fill_comm },
    { "smaps_rollup", fill_smaps_rollup }, { "timerslack_ns", fill_timerslack_ns }, { "coredump_filter", fill_coredump_filter } };

// /proc/sys: the kernel's tunables that Pagoda has; those with a writer may be changed.
void fill_pid_max(TextBuilder& out, Process&) { out.append("%u\n", PID_MAX); }
void fill_tainted(TextBuilder& out, Process&) { out.append("0\n"); } // nothing taints it
// 2 (Linux's default: stack, mmap area, PIE base and heap randomized) or 0 after aslr=off.
void fill_randomize_va_space(TextBuilder& out, Process&) { out.append("%d\n", address_randomization() ? 2 : 0); }
struct SysctlFile {
    char const* folder;
    char const* name;
    ProcInode::Generator generator;
    GeneratedFile::Writer writer;
};
SysctlFile const SYSCTL_FILES[] = { { "kernel", "pid_max", fill_pid_max, nullptr },
    { "kernel", "tainted", fill_tainted, nullptr }, { "kernel", "randomize_va_space", fill_randomize_va_space, nullptr },
    { "kernel", "shmmax", fill_shmmax, set_shmmax }, { "kernel", "shmall", fill_shmall, set_shmall },
    { "kernel", "shmmni", fill_shmmni, set_shmmni }, { "kernel", "shm_next_id", fill_shm_next_id, set_shm_next_id },
    { "kernel", "core_pattern", fill_core_pattern, set_core_pattern }, { "vm", "drop_caches", fill_drop_caches, set_drop_caches },
    { "fs", "pipe-max-size", fill_pipe_max_size, set_pipe_max_size },
    { "fs", "pipe-user-pages-soft", fill_pipe_user_pages_soft, set_pipe_user_pages_soft },
    { "fs", "pipe-user-pages-hard", fill_pipe_user_pages_hard, set_pipe_user_pages_hard },
    { "fs", "lease-break-time", fill_lease_break_time, set_lease_break_time } };
// /proc/sysvipc: System V IPC objects (shared memory only: Pagoda has no semaphores or
// message queues).
ProcFileName const SYSVIPC_FILES[] = { { "shm", fill_sysvipc_shm } };
char const* const SYSCTL_FOLDERS[] = { "fs", "kernel", "vm" };

struct ThreadFileName {
    char const* name;
    ProcInode::ThreadGenerator generator;
};
// Files of each /proc/<pid>/task/<tid>.
ThreadFileName const THREAD_FILES[] = { { "stat", fill_stat_of }, { "status", fill_status_of }, { "comm", fill_comm_of } };

bool name_is(Name name, char const* text)
{
    return strlen(text) == name.length && memcmp(text, name.characters, name.length) == 0;
}

Result<RefPtr<Inode>> make(ProcInode::Kind kind, u32 pid, ProcInode::Generator generator = nullptr, char const* link = nullptr,
    u32 tid = 0, ProcInode::ThreadGenerator thread_generator = nullptr)
{
    auto* inode = new (std::nothrow) ProcInode(kind, pid, generator, link, tid, thread_generator);
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
        if (name_is(name, "sys"))
            return make(Kind::SysFolder, 0);
        if (name_is(name, "sysvipc"))
            return make(Kind::SysvipcFolder, 0);
        if (name_is(name, "pagoda"))
            return make(Kind::PagodaFolder, 0);
        u32 pid;
        if (parse_pid(name, pid) && find_process(pid))
            return make(Kind::ProcessFolder, pid);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::SysFolder) {
        for (char const* folder : SYSCTL_FOLDERS)
            if (name_is(name, folder))
                return make(Kind::SysSubfolder, 0, nullptr, folder);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::SysSubfolder) {
        for (auto const& file : SYSCTL_FILES)
            if (strcmp(file.folder, m_link) == 0 && name_is(name, file.name)) {
                RefPtr<Inode> inode = TRY(make(Kind::Text, current_process().pid(), file.generator));
                static_cast<ProcInode*>(inode.ptr())->set_writer(file.writer);
                return inode;
            }
        return Errno::NoEntry;
    }
    if (m_kind == Kind::SysvipcFolder) {
        for (auto const& file : SYSVIPC_FILES)
            if (name_is(name, file.name))
                return make(Kind::Text, current_process().pid(), file.generator);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::PagodaFolder)
        return name_is(name, "trace") ? make(Kind::VmTrace, 0) : Result<RefPtr<Inode>>(Errno::NoEntry);
    if (m_kind == Kind::ProcessFolder) {
        if (!process())
            return Errno::NoEntry;
        for (auto const& file : PROCESS_FILES)
            if (name_is(name, file.name))
                return make(Kind::Text, m_pid, file.generator);
        if (name_is(name, "pagemap"))
            return make(Kind::Pagemap, m_pid);
        if (name_is(name, "mem"))
            return make(Kind::Memory, m_pid);
        if (name_is(name, "exe"))
            return make(Kind::Link, m_pid, nullptr, "exe");
        if (name_is(name, "task"))
            return make(Kind::TaskFolder, m_pid);
        if (name_is(name, "fd"))
            return make(Kind::FdFolder, m_pid);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::FdFolder) {
        u32 fd;
        Process* owner = process();
        if (owner && owner->state() != Process::State::Zombie && parse_pid(name, fd)
            && !owner->fds().get_even_if_path_only(static_cast<int>(fd)).is_error())
            return make(Kind::FdLink, m_pid, nullptr, nullptr, fd);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::TaskFolder) {
        u32 tid;
        if (process() && parse_pid(name, tid) && process()->find_thread(tid))
            return make(Kind::ThreadFolder, m_pid, nullptr, nullptr, tid);
        return Errno::NoEntry;
    }
    if (m_kind == Kind::ThreadFolder) {
        if (!thread())
            return Errno::NoEntry;
        for (auto const& file : THREAD_FILES)
            if (name_is(name, file.name))
                return make(Kind::ThreadText, m_pid, nullptr, nullptr, m_tid, file.generator);
        return Errno::NoEntry;
    }
    return Errno::NotDirectory;
}

Result<void> ProcInode::read_directory(u64& cookie, DirectoryVisitor visit)
{
    if (!is_directory())
        return Errno::NotDirectory;
    // Cookies count entries: ".", "..", the fixed files, then (root only) "self" and the pids,
    // or (task) the tids.
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
        if (!offer("task", number() + 4, DT_DIR))
            return {};
        if (!offer("fd", number() + 5, DT_DIR))
            return {};
        (void)offer("mem", number() + 6, DT_REG);
        return {};
    }
    if (m_kind == Kind::FdFolder) {
        Process* owner = process();
        if (!owner || owner->state() == Process::State::Zombie)
            return {};
        for (int fd = 0; fd < owner->fds().capacity(); ++fd) {
            if (owner->fds().get_even_if_path_only(fd).is_error())
                continue;
            char name[16];
            format(name, sizeof name, "%d", fd);
            if (!offer(name, (u64(fd) << 40) | (u64(m_pid) << 8) | u64(Kind::FdLink), DT_LNK))
                return {};
        }
        return {};
    }
    if (m_kind == Kind::ThreadFolder) {
        for (auto const& file : THREAD_FILES)
            if (!offer(file.name, number() + 1, DT_REG))
                return {};
        return {};
    }
    if (m_kind == Kind::PagodaFolder) {
        (void)offer("trace", number() + 1, DT_REG);
        return {};
    }
    if (m_kind == Kind::SysFolder) {
        for (char const* folder : SYSCTL_FOLDERS)
            if (!offer(folder, number() + 1, DT_DIR))
                return {};
        return {};
    }
    if (m_kind == Kind::SysvipcFolder) {
        for (auto const& file : SYSVIPC_FILES)
            if (!offer(file.name, number() + 1, DT_REG))
                return {};
        return {};
    }
    if (m_kind == Kind::SysSubfolder) {
        u64 n = 1;
        for (auto const& file : SYSCTL_FILES)
            if (strcmp(file.folder, m_link) == 0 && !offer(file.name, number() + ++n, DT_REG))
                return {};
        return {};
    }
    if (m_kind == Kind::TaskFolder) {
        bool more = true;
        if (Process* owner = process())
            owner->for_each_thread([&](Thread& t) {
                char name[16];
                format(name, sizeof name, "%u", t.tid());
                if (more)
                    more = offer(name, (u64(t.tid()) << 40) | number(), DT_DIR);
            });
        return {};
    }
    for (auto const& file : ROOT_FILES)
        if (!offer(file.name, 2, DT_REG))
            return {};
    if (!offer("self", 3, DT_LNK) || !offer("sys", 4, DT_DIR) || !offer("sysvipc", 5, DT_DIR) || !offer("pagoda", 6, DT_DIR))
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

namespace {

// What /proc/<pid>/fd/<n> reads as: the file's path, or Linux's names for what has none.
Result<usize> fd_link_text(OpenFile& open_file, char* out, usize capacity)
{
    File& file = open_file.file();
    if (Inode* inode = file.inode()) {
        if (capacity == 0)
            return 0;
        out[0] = '/';
        usize n = min(strlen(open_file.path()), capacity - 1);
        memcpy(out + 1, open_file.path(), n);
        n += 1;
        LinuxStat status;
        inode->stat(status);
        char const* gone = " (deleted)"; // no name leads to it any more
        if (status.st_nlink == 0)
            for (char const* c = gone; *c && n < capacity; ++c)
                out[n++] = *c;
        return n;
    }
    char name[48];
    if (file.pipe()) {
        LinuxStat status;
        file.stat(status);
        format(name, sizeof name, "pipe:[%lu]", status.st_ino);
    } else {
        format(name, sizeof name, "%s",
            file.is_terminal() ? "/dev/console"
                : file.epoll() ? "anon_inode:[eventpoll]"
                               : "anon_inode:[file]");
    }
    usize n = min(strlen(name), capacity);
    memcpy(out, name, n);
    return n;
}

}

Result<usize> ProcInode::read_link(char* out, usize capacity)
{
    if (m_kind == Kind::FdLink) {
        RefPtr<OpenFile> file = file_behind_link();
        if (!file)
            return Errno::NoEntry;
        return fd_link_text(*file, out, capacity);
    }
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
    if (m_kind == Kind::VmTrace)
        return open_vm_trace_file((flags & O_ACCMODE) != O_RDONLY);
    // Only root changes a tunable (Linux's /proc/sys files are root's, mode 0644 or 0200);
    // a process's memory decides for itself who may write it.
    if ((flags & O_ACCMODE) != O_RDONLY && m_kind != Kind::Memory && (!m_writer || current_process().credentials.euid != 0))
        return Errno::Access;
    if (is_directory())
        return InodeFile::create(RefPtr<Inode>(this));
    Process* owner = process();
    if (!owner)
        return Errno::NoEntry;
    if (m_kind == Kind::Pagemap)
        return open_pagemap(*owner);
    if (m_kind == Kind::Memory)
        return open_process_memory(*owner);
    if (m_kind == Kind::Text && m_writer)
        return generate([&](TextBuilder& out) { m_generator(out, *owner); }, m_writer);
    if (m_kind == Kind::Text)
        return generate([&](TextBuilder& out) { m_generator(out, *owner); });
    if (m_kind == Kind::ThreadText) {
        Thread* shown = thread();
        if (!shown)
            return Errno::NoEntry; // the thread ended
        return generate([&](TextBuilder& out) { m_thread_generator(out, *owner, shown); });
    }
    return Errno::Invalid;
}

Result<RefPtr<Inode>> procfs_create_root() { return make(ProcInode::Kind::Root, 0); }
