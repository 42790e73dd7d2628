#include "exec.h"
#include "elf.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/random.h"
#include "kernel/fs/file.h"
#include "kernel/fs/ramfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_layout.h"
#include "scheduler.h"

namespace {

// Where a position-independent static program is placed (Linux's ELF_ET_DYN_BASE).
constexpr u64 PIE_LOAD_BIAS = 0x0000555555554000;
constexpr u64 INITIAL_STACK_IMAGE_CAPACITY = EXEC_ARG_SPACE_LIMIT + 64 * KiB;

u32 mapping_prot(u32 elf_prot) { return elf_prot; } // ELF_PROT_* and PROT_* share their values

// Maps one PT_LOAD segment as anonymous memory and copies its file bytes in. Segments may
// share a page with the previous one (`mapped_until`), already mapped; see apply_final_protection.
Result<void> load_segment(AddressSpace& space, ElfSegment const& segment, u64 bias, u8 const* image, VirtAddr& mapped_until)
{
    VirtAddr start = page_round_down(segment.vaddr + bias);
    VirtAddr end = page_round_up(segment.vaddr + bias + segment.memsz);
    VirtAddr new_start = max(start, mapped_until);
    if (new_start < end) {
        // Writable while we fill it; final permissions below.
        TRY(space.map_anonymous(new_start, end - new_start, mapping_prot(segment.prot) | ELF_PROT_WRITE | ELF_PROT_READ,
            false, MapPlacement::FixedNoReplace, ""));
    }
    TRY(space.copy_to_user(segment.vaddr + bias, image + segment.file_offset, segment.filesz));
    mapped_until = max(mapped_until, end);
    return {};
}

Result<void> apply_final_protection(AddressSpace& space, ElfImage const& elf, u64 bias)
{
    for (u64 i = 0; i < elf.segment_count; ++i) {
        ElfSegment const& segment = elf.segments[i];
        VirtAddr start = page_round_down(segment.vaddr + bias);
        VirtAddr end = page_round_up(segment.vaddr + bias + segment.memsz);
        // A page shared with a neighbour keeps the union of both segments' permissions.
        u32 prot = mapping_prot(segment.prot);
        if (i > 0 && page_round_up(elf.segments[i - 1].vaddr + elf.segments[i - 1].memsz) > segment.vaddr) {
            TRY(space.protect(start, PAGE_SIZE, prot | mapping_prot(elf.segments[i - 1].prot)));
            start += PAGE_SIZE;
        }
        if (i + 1 < elf.segment_count && page_round_down(elf.segments[i + 1].vaddr) < segment.vaddr + segment.memsz)
            end -= PAGE_SIZE;
        if (end > start)
            TRY(space.protect(start, end - start, prot));
    }
    return {};
}

struct LoadedProgram {
    RefPtr<AddressSpace> space;
    u64 entry;
    u64 stack_pointer;
};

Result<LoadedProgram> load_program(RamFsNode const& file, char const* path, StringList argv, StringList envp)
{
    ElfImage elf = TRY(parse_elf(file.data, file.size));
    if (elf.has_interpreter)
        return Errno::NoEntry; // there is no dynamic loader to run it with
    u64 bias = elf.position_independent ? PIE_LOAD_BIAS : 0;

    RefPtr<AddressSpace> space = TRY(AddressSpace::create(kernel_memory_context()));
    VirtAddr mapped_until = 0;
    for (u64 i = 0; i < elf.segment_count; ++i)
        TRY(load_segment(*space, elf.segments[i], bias, file.data, mapped_until));
    TRY(apply_final_protection(*space, elf, bias));
    space->set_brk_base(page_round_up(elf.highest_vaddr + bias));

    VirtAddr stack_bottom = USER_STACK_TOP - USER_STACK_MAX;
    TRY(space->map_anonymous(stack_bottom, USER_STACK_MAX, ELF_PROT_READ | ELF_PROT_WRITE, false, MapPlacement::Fixed, "[stack]"));

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
    auto copied = space->copy_to_user(stack.value().rsp, image, stack.value().size);
    delete[] image;
    TRY(copied);
    return LoadedProgram { static_cast<RefPtr<AddressSpace>&&>(space), elf.entry + bias, stack.value().rsp };
}

}

Result<void> exec_program(Process& process, Thread& thread, char const* link_path, StringList argv, StringList envp)
{
    char path[PATH_MAX];
    usize length = strlen(link_path);
    if (length >= sizeof path)
        return Errno::NameTooLong;
    memcpy(path, link_path, length + 1);
    TRY(vfs_follow_links(path, sizeof path));
    RamFsNode const* node = ramfs_lookup(path);
    if (!node)
        return Errno::NoEntry;
    if ((node->mode & MODE_TYPE_MASK) != MODE_REGULAR || !(node->mode & 0111))
        return Errno::Access;

    char absolute_path[256];
    absolute_path[0] = '/';
    usize n = min<usize>(strlen(path), sizeof absolute_path - 2);
    memcpy(absolute_path + 1, path, n);
    absolute_path[n + 1] = '\0';

    LoadedProgram program = TRY(load_program(*node, absolute_path, argv, envp));

    // Point of no return: the old program is gone from here on.
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
    if (&thread == current_thread()) {
        cpu::write_msr(cpu::MSR_FS_BASE, 0);
        cpu::write_cr3(process.page_table_physical());
    }
    return {};
}
