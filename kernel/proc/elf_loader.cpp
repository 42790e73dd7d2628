#include "elf_loader.h"
#include "kernel/mm/user_layout.h"
#include "kernel/mm/user_memory.h"

namespace {

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

}

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

Result<u64> bias_below(ElfImage const& elf, VirtAddr top)
{
    u64 span = elf.highest_vaddr - elf.lowest_vaddr;
    if (top < USER_BASE + span)
        return Errno::NoMemory;
    u64 start = (top - span) & ~(elf.max_alignment - 1);
    if (start < USER_BASE)
        return Errno::NoMemory;
    return start - elf.lowest_vaddr; // may wrap for a lowest_vaddr above start: bias is modular
}

Result<void> load_elf(AddressSpace& space, ElfFile const& file, u64 bias, char const* name)
{
    VirtAddr mapped_until = 0;
    for (u64 i = 0; i < file.elf.segment_count; ++i)
        TRY(load_segment(space, file.elf.segments[i], bias, file.cache, name, mapped_until));
    return {};
}
