#include "exec.h"
#include "elf_loader.h"
#include "exec_layout.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/random.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/permission.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/mm/user_layout.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "script.h"
#include "signal.h"
#include "vdso.h"

namespace {

constexpr u64 INITIAL_STACK_IMAGE_CAPACITY = EXEC_ARG_SPACE_LIMIT + 64 * KiB;

// The initial stack's bytes, built in a kernel buffer before anything of the new program
// is mapped: too many arguments (E2BIG) must still fail the call, as Linux's copy of the
// strings does before its point of no return.
class StackImage {
public:
    StackImage() = default;
    StackImage(StackImage const&) = delete;
    ~StackImage() { delete[] m_bytes; }
    Result<void> build(VirtAddr stack_top, StringList argv, StringList envp, AuxValues const& aux, char const* path)
    {
        u64 capacity = initial_stack_capacity(argv, envp, path, INITIAL_STACK_IMAGE_CAPACITY);
        m_bytes = new (std::nothrow) u8[capacity];
        if (!m_bytes)
            return Errno::NoMemory;
        u8 random[16];
        random_fill(random, sizeof random);
        m_stack = TRY(build_initial_stack(stack_top, argv, envp, aux, random, path, m_bytes, capacity));
        return {};
    }
    InitialStack const& stack() const { return m_stack; }
    u8 const* bytes() const { return m_bytes; }

private:
    u8* m_bytes { nullptr };
    InitialStack m_stack {};
};

// What is known about the new program before its address space is built: the files, the
// layout (exec_layout.h) and where each image goes, all decided before the point of no
// return so that the auxiliary vector can be written first.
struct CheckedProgram {
    ElfFile executable;
    bool has_interpreter { false };
    ElfFile interpreter;
    char interpreter_path[PATH_MAX]; // normalized: /proc/<pid>/maps names its mappings so
    ExecLayout layout;
    u64 bias { 0 }; // the executable's
    u64 interpreter_bias { 0 };
    VirtAddr vdso_start { 0 }; // [vvar], then [vdso]; 0 when there is none
};

// The PT_INTERP path, as the executable names it. NoExec for one longer than PATH_MAX or not
// ending in its NUL (binfmt_elf's checks).
Result<void> read_interpreter_path(ElfFile const& executable, char* out)
{
    u64 size = executable.elf.interpreter_size;
    if (size > PATH_MAX)
        return Errno::NoExec;
    usize n = TRY(executable.cache->read(executable.elf.interpreter_offset, reinterpret_cast<u8*>(out), size));
    if (n != size || out[size - 1] != '\0')
        return Errno::NoExec;
    return {};
}

// Opens and checks the interpreter as Linux's load_elf_binary does: a missing one is ENOENT,
// one that is not a regular file or may not be executed EACCES, one shorter than an ELF
// header EIO, and one that is not a loadable x86_64 ELF file ELIBBAD.
Result<void> open_interpreter(Process& process, ElfFile const& executable, ElfFile& out, char* path)
{
    PATH_BUFFER(named);
    TRY(read_interpreter_path(executable, named));
    // Normalized paths have no leading '/'; the maps name gets one, as the program's does.
    TRY(normalize_path(process.cwd(), named, path + 1, PATH_MAX - 1));
    path[0] = '/';
    RefPtr<Inode> file = TRY(vfs_lookup(path + 1, FollowLastLink::Yes, process.credentials));
    if (!file->is_regular())
        return Errno::Access;
    TRY(inode_permission(*file, process.credentials, MayExecute));
    out.cache = TRY(file->page_cache());
    if (out.cache->size() < ELF_HEADER_SIZE)
        return Errno::IoError;
    auto elf = read_elf(*out.cache);
    if (elf.is_error())
        return elf.error() == Errno::NoExec ? Errno::LibraryBad : elf.error();
    out.elf = elf.release_value();
    return {};
}

// The executable's bias: none for ET_EXEC; ELF_ET_DYN_BASE (randomized) for an ET_DYN
// program with an interpreter; top of the mmap area for one without (a static-pie, or an
// interpreter run as a program), as Linux places them.
Result<u64> executable_bias(CheckedProgram const& program)
{
    ElfImage const& elf = program.executable.elf;
    if (!elf.position_independent)
        return 0;
    if (program.has_interpreter)
        return (program.layout.dynamic_base & ~(elf.max_alignment - 1)) - elf.lowest_vaddr;
    return bias_below(elf, program.layout.mmap_top);
}

Result<void> check_program(Process& process, Inode& file, CheckedProgram& out)
{
    out.executable.cache = TRY(file.page_cache());
    out.executable.elf = TRY(read_elf(*out.executable.cache));
    out.has_interpreter = out.executable.elf.has_interpreter;
    if (out.has_interpreter)
        TRY(open_interpreter(process, out.executable, out.interpreter, out.interpreter_path));
    out.layout = choose_exec_layout(address_randomization() && !(process.personality & ADDR_NO_RANDOMIZE));
    out.bias = TRY(executable_bias(out));
    // The mmap area fills top-down, as the first mmap(NULL, ...) calls would fill it: a
    // static-pie, else the interpreter, then the vDSO below.
    VirtAddr top = out.layout.mmap_top;
    if (out.executable.elf.position_independent && !out.has_interpreter)
        top = out.executable.elf.lowest_vaddr + out.bias;
    // (An ET_EXEC interpreter, rare, goes where it was linked, as on Linux.)
    if (out.has_interpreter && out.interpreter.elf.position_independent) {
        out.interpreter_bias = TRY(bias_below(out.interpreter.elf, top));
        top = out.interpreter.elf.lowest_vaddr + out.interpreter_bias;
    }
    if (vdso_available()) {
        if (top < USER_BASE + vdso_span())
            return Errno::NoMemory;
        out.vdso_start = top - vdso_span();
    }
    return {};
}

AuxValues aux_values_for(CheckedProgram const& program, Credentials const& credentials, u32 mode, InodeOwner owner)
{
    ElfImage const& elf = program.executable.elf;
    AuxValues aux {};
    aux.phdr = elf.phdr_vaddr + program.bias;
    aux.phent = elf.phent_size;
    aux.phnum = elf.phnum;
    aux.entry = elf.entry + program.bias;
    aux.base = program.has_interpreter ? program.interpreter.elf.lowest_vaddr + program.interpreter_bias : 0;
    u32 a, b, c, d;
    cpu::cpuid(1, 0, a, b, c, d);
    aux.hwcap = d;
    aux.hwcap2 = 0; // Linux's x86 HWCAP2 bits (ring-3 MONITOR, FSGSBASE) are not offered
    aux.sysinfo_ehdr = program.vdso_start ? vdso_image_address(program.vdso_start) : 0;
    aux.min_signal_stack = minimum_signal_stack_size();
    // The ids the program will run with: a set-user-ID or set-group-ID file changes the
    // effective ones, and that makes it a secure exec (glibc then ignores LD_* variables).
    Credentials after = credentials;
    after.start_program(mode & 04000, owner.uid, (mode & 02010) == 02010, owner.gid);
    aux.uid = after.uid;
    aux.euid = after.euid;
    aux.gid = after.gid;
    aux.egid = after.egid;
    aux.secure = after.euid != after.uid || after.egid != after.gid;
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

// The new address space: the executable's segments, the interpreter's, the vDSO, the heap
// start, the stack and its contents.
Result<RefPtr<AddressSpace>> build_address_space(
    CheckedProgram const& program, StackImage const& stack, char const* path, u64 stack_limit)
{
    RefPtr<AddressSpace> space = TRY(AddressSpace::create(kernel_memory_context()));
    space->set_mmap_top(program.layout.mmap_top);
    TRY(load_elf(*space, program.executable, program.bias, path));
    if (program.has_interpreter)
        TRY(load_elf(*space, program.interpreter, program.interpreter_bias, program.interpreter_path));
    if (program.vdso_start)
        TRY(vdso_map(*space, program.vdso_start));

    // Linux moves the heap of a program that is its own loader out of the mmap area, where
    // it would soon run into the next mapping, to ELF_ET_DYN_BASE (when randomizing).
    ElfImage const& elf = program.executable.elf;
    VirtAddr image_end = page_round_up(elf.highest_vaddr + program.bias);
    if (elf.position_independent && !program.has_interpreter && program.layout.randomized)
        image_end = program.layout.dynamic_base;
    VirtAddr heap = image_end + program.layout.brk_offset;
    space->set_brk(heap, heap);

    u64 size = stack_size(stack_limit, stack.stack().size + (program.layout.stack_end - program.layout.stack_top));
    VirtAddr stack_end = program.layout.stack_end;
    TRY(space->map_anonymous(stack_end - size, size, VM_READ | VM_WRITE, false, MapPlacement::Fixed, "[stack]"));
    TRY(copy_to_user(*space, stack.stack().rsp, stack.bytes(), stack.stack().size));
    return space;
}

}

namespace {

Result<void> exec_file(Process& process, Thread& thread, char const* path, char const* name, char const* execfn, StringList argv,
    StringList envp, ExecStage& reached, int nesting, ExecSource const& source = {});

// A "#!" script: runs its interpreter with [interpreter, argument?, script, argv[1]...].
// The script is named as it was named to exec (Linux's bprm->interp): the path execve was
// given, /dev/fd/N/... through execveat's descriptor, or for a script run as an interpreter,
// the interpreter's name as its "#!" line wrote it.
Result<void> exec_script(Process& process, Thread& thread, ScriptHeader const& script, char const* script_path,
    char const* execfn, StringList argv, StringList envp, ExecStage& reached, int nesting)
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
    auto result = exec_file(
        process, thread, interpreter, script.interpreter, execfn, StringList { items, n }, envp, reached, nesting + 1);
    delete[] items;
    return result;
}

Result<void> exec_file(Process& process, Thread& thread, char const* path, char const* name, char const* execfn, StringList argv,
    StringList envp, ExecStage& reached, int nesting, ExecSource const& source)
{
    reached = ExecStage::Checking;
    PATH_BUFFER(resolved);
    RefPtr<Inode> file = source.file;
    if (file) {
        resolved[0] = '/'; // the descriptor's path, kept without its leading slash
        memcpy(resolved + (path[0] == '/' ? 0 : 1), path, strlen(path) + 1);
    } else {
        FollowLastLink follow = source.follow_last_link ? FollowLastLink::Yes : FollowLastLink::No;
        file = TRY(vfs_lookup(path, follow, process.credentials, resolved + 1, PATH_MAX - 1));
        resolved[0] = '/';
    }
    if (file->is_symlink())
        return Errno::Loop; // AT_SYMLINK_NOFOLLOW
    // Only a regular file runs, and only with execute permission — root too needs some x bit.
    if (!file->is_regular())
        return Errno::Access;
    TRY(inode_permission(*file, process.credentials, MayExecute));
    {
        auto* script = new (std::nothrow) ScriptHeader;
        if (!script)
            return Errno::NoMemory;
        auto is_script = read_script_header(*TRY(file->page_cache()), *script);
        if (is_script.is_error() || is_script.value()) {
            auto result = is_script.is_error() ? Result<void>(is_script.error())
                : source.path_inaccessible     ? Result<void>(Errno::NoEntry)
                                           : exec_script(process, thread, *script, name, execfn, argv, envp, reached, nesting);
            delete script;
            return result;
        }
        delete script;
    }
    char const* absolute_path = resolved;
    SharedString executable_path = TRY(SharedString::create(absolute_path));
    // Not a file someone has open for writing (ETXTBSY); and from now on no one may open it so.
    ExecutableHold hold = TRY(ExecutableHold::take(file));

    auto* program_holder = new (std::nothrow) CheckedProgram;
    if (!program_holder)
        return Errno::NoMemory;
    OwnPtr<CheckedProgram> owned_program(program_holder); // too large for a kernel stack
    CheckedProgram& program = *program_holder;
    TRY(check_program(process, *file, program));
    u32 mode = file->mode();
    InodeOwner owner = file->owner();
    StackImage stack;
    TRY(stack.build(program.layout.stack_top, argv, envp, aux_values_for(program, process.credentials, mode, owner), execfn));

    // Linux's de_thread: the other threads end before the old program goes, and a thread
    // other than the first takes over the process's id. (Another thread already ending
    // the group wins: this call fails and its thread ends on the way out.)
    if (!process.end_other_threads(thread))
        return Errno::Interrupted;
    // The old program's robust and PI locks that this thread holds are released now, while
    // its memory and its tid are still the ones their words name.
    process.release_thread_user_state(thread);
    if (thread.tid() != process.pid())
        thread.take_over_id(process.pid());
    // Linux's point of no return (begin_new_exec) comes before the segments are mapped: a
    // program whose image cannot be built (a bss larger than memory) kills the process.
    reached = ExecStage::Building;
    RefPtr<AddressSpace> space = TRY(build_address_space(program, stack, absolute_path, process.limits.soft(RLIMIT_STACK)));
    // The new program gets a descriptor table of its own, as Linux's unshare_files: a
    // table shared through CLONE_FILES must not have its close-on-exec files closed under
    // the other process.
    TRY(process.unshare_fds());

    // The old program is gone from here on. Load the new page table first: the old one may
    // be freed with the old address space.
    if (&thread == current_thread())
        space->page_table().activate();
    process.set_address_space(static_cast<RefPtr<AddressSpace>&&>(space));
    process.set_executable(static_cast<ExecutableHold&&>(hold));
    bool set_id = (mode & 04000) || (mode & 02010) == 02010;
    process.credentials.start_program(mode & 04000, owner.uid, (mode & 02010) == 02010, owner.gid);
    if (set_id)
        process.personality &= ~PER_CLEAR_ON_SETID; // as Linux's bprm->per_clear
    process.set_executable_path(static_cast<SharedString&&>(executable_path));
    thread.set_name(base_name(path), COMMAND_NAME_MAX); // the name as called: a link's, not its target's
    // As Linux's begin_new_exec: a program that runs with other ids than its caller's is
    // not dumpable (suid_dumpable 0), any other is.
    Credentials const& ids = process.credentials;
    process.dumpable = ids.euid == ids.uid && ids.egid == ids.gid;
    process.note_exec_ran();
    process.posix_timers.clear(); // timer_create's timers end with the program, as Linux's
    process.fds().close_on_exec_files();
    for (auto& action : process.signal_actions)
        if (action.handler > 1)
            action = {}; // caught signals revert to the default; ignored ones stay ignored
    thread.alt_stack_size = 0; // the new program has no alternate signal stack
    thread.alt_stack_autodisarm = false;

    TrapFrame& frame = thread.user_frame();
    frame = {};
    // A dynamically linked program starts in its interpreter, which finds the program
    // through AT_PHDR and AT_ENTRY.
    frame.rip = program.has_interpreter ? program.interpreter.elf.entry + program.interpreter_bias
                                        : program.executable.elf.entry + program.bias;
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
    Process& process, Thread& thread, char const* path, char const* execfn, StringList argv, StringList envp, ExecStage& reached)
{
    return exec_file(process, thread, path, execfn, execfn, argv, envp, reached, 0);
}

Result<void> exec_program(Process& process, Thread& thread, char const* path, char const* execfn, StringList argv,
    StringList envp, ExecSource const& source, ExecStage& reached)
{
    return exec_file(process, thread, path, execfn, execfn, argv, envp, reached, 0, source);
}
