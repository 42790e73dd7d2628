#include "exec.h"
#include "elf.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/random.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/permission.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_layout.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "script.h"

namespace {

// Where a position-independent static program is placed (Linux's ELF_ET_DYN_BASE).
constexpr u64 PIE_LOAD_BIAS = 0x0000555555554000;
constexpr u64 INITIAL_STACK_IMAGE_CAPACITY = EXEC_ARG_SPACE_LIMIT + 64 * KiB;

// Maps one PT_LOAD segment: its file bytes as a private file mapping of the page cache
// (shared with every process running the program until written), the rest of memsz as
// anonymous memory. A segment whose first page another segment already maps (possible, if
// rare) is loaded by copying instead.
Result<void> load_segment(AddressSpace& space, ElfSegment const& segment, u64 bias, RefPtr<PageCache> const& cache,
    char const* name, VirtAddr& mapped_until)
{
    VirtAddr start = page_round_down(segment.vaddr + bias);
    VirtAddr file_end = page_round_up(segment.vaddr + bias + segment.filesz);
    VirtAddr end = page_round_up(segment.vaddr + bias + segment.memsz);
    u32 prot = segment.prot;
    // Linux charges a writable segment and the bss to its commit count: one larger than all
    // of memory cannot be loaded (memory_context.h).
    MemoryContext& memory = kernel_memory_context();
    if (((prot & VM_WRITE) && exceeds_all_memory(memory, file_end - start)) || exceeds_all_memory(memory, end - file_end))
        return Errno::NoMemory;
    bool needs_zeroing = segment.memsz > segment.filesz && ((segment.vaddr + segment.filesz) & (PAGE_SIZE - 1));

    if (start < mapped_until) {
        VirtAddr new_start = mapped_until;
        if (new_start < end)
            TRY(space.map_anonymous(
                new_start, end - new_start, prot | VM_READ | VM_WRITE, false, MapPlacement::FixedNoReplace, name));
        u8 buffer[512];
        for (u64 done = 0; done < segment.filesz; done += sizeof buffer) {
            usize n = min<u64>(sizeof buffer, segment.filesz - done);
            TRY(cache->read(segment.file_offset + done, buffer, n));
            TRY(copy_to_user(space, segment.vaddr + bias + done, buffer, n));
        }
        mapped_until = max(mapped_until, end);
        return {};
    }

    if (file_end > start) {
        // Writable while the bss tail of the last file page is zeroed (that write makes the
        // page a private copy, as Linux does); final permissions set right after.
        u32 load_prot = needs_zeroing ? (prot | VM_WRITE) : prot;
        TRY(space.map_file(start, file_end - start, load_prot, false, MapPlacement::FixedNoReplace, cache,
            page_round_down(segment.file_offset), name));
        if (needs_zeroing) {
            VirtAddr tail = segment.vaddr + bias + segment.filesz;
            TRY(zero_user(space, tail, file_end - tail));
            if (load_prot != prot)
                TRY(space.protect(start, file_end - start, prot));
        }
    }
    if (end > file_end)
        TRY(space.map_anonymous(file_end, end - file_end, prot, false, MapPlacement::FixedNoReplace, name));
    mapped_until = end;
    return {};
}

// Reads and checks the ELF header and program headers through the page cache.
Result<ElfImage> read_elf(PageCache& cache)
{
    u8 header_bytes[ELF_HEADER_SIZE];
    usize n = TRY(cache.read(0, header_bytes, sizeof header_bytes));
    ElfHeader header = TRY(validate_elf_header(header_bytes, n));
    u64 size = header.program_headers_size();
    u8* program_headers = new (std::nothrow) u8[size];
    if (!program_headers)
        return Errno::NoMemory;
    auto read = cache.read(header.phoff, program_headers, size);
    Result<ElfImage> image = read.is_error() ? Result<ElfImage>(read.error())
        : read.value() < size                ? Result<ElfImage>(Errno::NoExec)
                                             : parse_elf_program_headers(header, program_headers, size, cache.size());
    delete[] program_headers;
    return image;
}

// The initial stack's bytes, built in a kernel buffer before anything of the new program
// is mapped: too many arguments (E2BIG) must still fail the call, as Linux's copy of the
// strings does before its point of no return.
class StackImage {
public:
    StackImage() = default;
    StackImage(StackImage const&) = delete;
    ~StackImage() { delete[] m_bytes; }
    Result<void> build(StringList argv, StringList envp, AuxValues const& aux, char const* path)
    {
        m_bytes = new (std::nothrow) u8[INITIAL_STACK_IMAGE_CAPACITY];
        if (!m_bytes)
            return Errno::NoMemory;
        u8 random[16];
        random_fill(random, sizeof random);
        m_stack = TRY(build_initial_stack(USER_STACK_TOP, argv, envp, aux, random, path, m_bytes, INITIAL_STACK_IMAGE_CAPACITY));
        return {};
    }
    InitialStack const& stack() const { return m_stack; }
    u8 const* bytes() const { return m_bytes; }

private:
    u8* m_bytes { nullptr };
    InitialStack m_stack {};
};

// What is known about the new program before its address space is built.
struct CheckedProgram {
    RefPtr<PageCache> cache;
    ElfImage elf;
    u64 bias;
};

Result<void> check_program(Inode& file, CheckedProgram& out)
{
    out.cache = TRY(file.page_cache());
    out.elf = TRY(read_elf(*out.cache));
    if (out.elf.has_interpreter)
        return Errno::NoEntry; // there is no dynamic loader to run it with
    out.bias = out.elf.position_independent ? PIE_LOAD_BIAS : 0;
    return {};
}

AuxValues aux_values_for(CheckedProgram const& program)
{
    AuxValues aux {};
    aux.phdr = program.elf.phdr_vaddr + program.bias;
    aux.phent = program.elf.phent_size;
    aux.phnum = program.elf.phnum;
    aux.entry = program.elf.entry + program.bias;
    u32 a, b, c, d;
    cpu::cpuid(1, 0, a, b, c, d);
    aux.hwcap = d;
    return aux;
}

// The stack mapping of a new program: RLIMIT_STACK's soft value, in whole pages, at least
// what the initial stack needs and at most USER_STACK_MAX. Mapped lazily, so a large limit
// costs nothing until the stack grows.
u64 stack_size(u64 limit, u64 image_size)
{
    u64 size = limit >= USER_STACK_MAX ? USER_STACK_MAX : page_round_up(limit);
    return max(size, page_round_up(image_size));
}

// The new address space: segments, heap start, stack and its contents.
Result<RefPtr<AddressSpace>> build_address_space(
    CheckedProgram const& program, StackImage const& stack, char const* path, u64 stack_limit)
{
    RefPtr<AddressSpace> space = TRY(AddressSpace::create(kernel_memory_context()));
    VirtAddr mapped_until = 0;
    for (u64 i = 0; i < program.elf.segment_count; ++i)
        TRY(load_segment(*space, program.elf.segments[i], program.bias, program.cache, path, mapped_until));
    VirtAddr image_end = page_round_up(program.elf.highest_vaddr + program.bias);
    space->set_brk(image_end, image_end);

    u64 size = stack_size(stack_limit, stack.stack().size);
    TRY(space->map_anonymous(USER_STACK_TOP - size, size, VM_READ | VM_WRITE, false, MapPlacement::Fixed, "[stack]"));
    TRY(copy_to_user(*space, stack.stack().rsp, stack.bytes(), stack.stack().size));
    return space;
}

}

namespace {

Result<void> exec_file(
    Process& process, Thread& thread, char const* path, StringList argv, StringList envp, ExecStage& reached, int nesting);

// A "#!" script: runs its interpreter with [interpreter, argument?, script, argv[1]...].
// The script is named by its absolute path (Linux passes the path execve was given).
Result<void> exec_script(Process& process, Thread& thread, ScriptHeader const& script, char const* script_path, StringList argv,
    StringList envp, ExecStage& reached, int nesting)
{
    if (nesting >= SCRIPT_NESTING_LIMIT)
        return Errno::Loop;
    PATH_BUFFER(interpreter);
    TRY(normalize_path(process.cwd(), script.interpreter, interpreter, PATH_MAX));
    u64 count = argv.count + 2 + (script.has_argument ? 1 : 0);
    char const** items = new (std::nothrow) char const*[count];
    if (!items)
        return Errno::NoMemory;
    u64 n = 0;
    items[n++] = script.interpreter;
    if (script.has_argument)
        items[n++] = script.argument;
    items[n++] = script_path;
    for (u64 i = 1; i < argv.count; ++i)
        items[n++] = argv.items[i];
    items[n] = nullptr;
    auto result = exec_file(process, thread, interpreter, StringList { items, n }, envp, reached, nesting + 1);
    delete[] items;
    return result;
}

Result<void> exec_file(
    Process& process, Thread& thread, char const* path, StringList argv, StringList envp, ExecStage& reached, int nesting)
{
    reached = ExecStage::Checking;
    PATH_BUFFER(resolved);
    RefPtr<Inode> file = TRY(vfs_lookup(path, FollowLastLink::Yes, process.credentials, resolved + 1, PATH_MAX - 1));
    // Only a regular file runs, and only with execute permission — root too needs some x bit.
    if (!file->is_regular())
        return Errno::Access;
    TRY(inode_permission(*file, process.credentials, MayExecute));
    resolved[0] = '/';
    {
        auto* script = new (std::nothrow) ScriptHeader;
        if (!script)
            return Errno::NoMemory;
        auto is_script = read_script_header(*TRY(file->page_cache()), *script);
        if (is_script.is_error() || is_script.value()) {
            auto result = is_script.is_error() ? Result<void>(is_script.error())
                                               : exec_script(process, thread, *script, resolved, argv, envp, reached, nesting);
            delete script;
            return result;
        }
        delete script;
    }
    char const* absolute_path = resolved;
    SharedString executable_path = TRY(SharedString::create(absolute_path));
    // Not a file someone has open for writing (ETXTBSY); and from now on no one may open it so.
    ExecutableHold hold = TRY(ExecutableHold::take(file));

    CheckedProgram program;
    TRY(check_program(*file, program));
    StackImage stack;
    TRY(stack.build(argv, envp, aux_values_for(program), absolute_path));

    // Linux's de_thread: the other threads end before the old program goes, and a thread
    // other than the first takes over the process's id. (Another thread already ending
    // the group wins: this call fails and its thread ends on the way out.)
    if (!process.end_other_threads(thread))
        return Errno::Interrupted;
    if (thread.tid() != process.pid())
        thread.take_over_id(process.pid());
    // Linux's point of no return (begin_new_exec) comes before the segments are mapped: a
    // program whose image cannot be built (a bss larger than memory) kills the process.
    reached = ExecStage::Building;
    RefPtr<AddressSpace> space = TRY(build_address_space(program, stack, absolute_path, process.limits.soft(RLIMIT_STACK)));

    // The old program is gone from here on. Load the new page table first: the old one may
    // be freed with the old address space.
    if (&thread == current_thread())
        space->page_table().activate();
    process.set_address_space(static_cast<RefPtr<AddressSpace>&&>(space));
    process.set_executable(static_cast<ExecutableHold&&>(hold));
    u32 mode = file->mode();
    InodeOwner owner = file->owner();
    process.credentials.start_program(mode & 04000, owner.uid, (mode & 02010) == 02010, owner.gid);
    process.set_executable_path(static_cast<SharedString&&>(executable_path));
    thread.set_name(base_name(path), COMMAND_NAME_MAX); // the name as called: a link's, not its target's
    process.dumpable = true;
    process.note_exec_ran();
    process.fds().close_on_exec_files();
    for (auto& action : process.signal_actions)
        if (action.handler > 1)
            action = {}; // caught signals revert to the default; ignored ones stay ignored
    thread.alt_stack_size = 0; // the new program has no alternate signal stack
    thread.alt_stack_autodisarm = false;

    TrapFrame& frame = thread.user_frame();
    frame = {};
    frame.rip = program.elf.entry + program.bias;
    frame.rsp = stack.stack().rsp;
    frame.cs = USER_CODE_SELECTOR;
    frame.ss = USER_DATA_SELECTOR;
    frame.rflags = RFLAGS_INTERRUPT_ENABLE;
    frame.vector = SYSCALL_VECTOR;
    thread.fs_base = 0;
    if (&thread == current_thread())
        cpu::write_msr(cpu::MSR_FS_BASE, 0);
    return {};
}

}

Result<void> exec_program(
    Process& process, Thread& thread, char const* path, StringList argv, StringList envp, ExecStage& reached)
{
    return exec_file(process, thread, path, argv, envp, reached, 0);
}
