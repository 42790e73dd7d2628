#include "exec.h"
#include "elf.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/random.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_layout.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"

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

struct LoadedProgram {
    RefPtr<AddressSpace> space;
    u64 entry;
    u64 stack_pointer;
};

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

Result<LoadedProgram> load_program(Inode& file, char const* path, StringList argv, StringList envp)
{
    RefPtr<PageCache> cache = TRY(file.page_cache());
    ElfImage elf = TRY(read_elf(*cache));
    if (elf.has_interpreter)
        return Errno::NoEntry; // there is no dynamic loader to run it with
    u64 bias = elf.position_independent ? PIE_LOAD_BIAS : 0;

    RefPtr<AddressSpace> space = TRY(AddressSpace::create(kernel_memory_context()));
    VirtAddr mapped_until = 0;
    for (u64 i = 0; i < elf.segment_count; ++i)
        TRY(load_segment(*space, elf.segments[i], bias, cache, path, mapped_until));
    VirtAddr image_end = page_round_up(elf.highest_vaddr + bias);
    space->set_brk(image_end, image_end);

    VirtAddr stack_bottom = USER_STACK_TOP - USER_STACK_MAX;
    TRY(space->map_anonymous(stack_bottom, USER_STACK_MAX, VM_READ | VM_WRITE, false, MapPlacement::Fixed, "[stack]"));

    AuxValues aux {};
    aux.phdr = elf.phdr_vaddr + bias;
    aux.phent = elf.phent_size;
    aux.phnum = elf.phnum;
    aux.entry = elf.entry + bias;
    u32 a, b, c, d;
    cpu::cpuid(1, 0, a, b, c, d);
    aux.hwcap = d;
    u8 random[16];
    random_fill(random, sizeof random);

    u8* image = new (std::nothrow) u8[INITIAL_STACK_IMAGE_CAPACITY];
    if (!image)
        return Errno::NoMemory;
    auto stack = build_initial_stack(USER_STACK_TOP, argv, envp, aux, random, path, image, INITIAL_STACK_IMAGE_CAPACITY);
    if (stack.is_error()) {
        delete[] image;
        return stack.error();
    }
    auto copied = copy_to_user(*space, stack.value().rsp, image, stack.value().size);
    delete[] image;
    TRY(copied);
    return LoadedProgram { static_cast<RefPtr<AddressSpace>&&>(space), elf.entry + bias, stack.value().rsp };
}

}

Result<void> exec_program(Process& process, Thread& thread, char const* path, StringList argv, StringList envp)
{
    PATH_BUFFER(resolved);
    RefPtr<Inode> file = TRY(vfs_lookup(path, FollowLastLink::Yes, resolved + 1, PATH_MAX - 1));
    if (!file->is_regular() || !(file->mode() & 0111))
        return Errno::Access;
    resolved[0] = '/';
    char const* absolute_path = resolved;

    LoadedProgram program = TRY(load_program(*file, absolute_path, argv, envp));

    // Point of no return: the old program is gone from here on. Load the new page table
    // first: the old one may be freed with the old address space.
    if (&thread == current_thread())
        program.space->page_table().activate();
    process.set_address_space(static_cast<RefPtr<AddressSpace>&&>(program.space));
    process.set_executable_path(absolute_path);
    process.fds().close_on_exec_files();
    for (auto& action : process.signal_actions)
        if (action.handler > 1)
            action = {}; // caught signals revert to the default; ignored ones stay ignored

    TrapFrame& frame = thread.user_frame();
    frame = {};
    frame.rip = program.entry;
    frame.rsp = program.stack_pointer;
    frame.cs = USER_CODE_SELECTOR;
    frame.ss = USER_DATA_SELECTOR;
    frame.rflags = RFLAGS_INTERRUPT_ENABLE;
    frame.vector = SYSCALL_VECTOR;
    thread.fs_base = 0;
    if (&thread == current_thread())
        cpu::write_msr(cpu::MSR_FS_BASE, 0);
    return {};
}
