// ELF64 validation. Fields are read byte by byte in little-endian order, so the input needs
// no alignment and a host test can hand in any buffer.
#include "elf.h"

namespace {

// e_ident layout and values (ELF specification, "ELF Identification").
constexpr u64 EI_CLASS = 4;
constexpr u64 EI_DATA = 5;
constexpr u64 EI_VERSION = 6;
constexpr u8 ELFCLASS64 = 2;
constexpr u8 ELFDATA2LSB = 1;
constexpr u8 EV_CURRENT = 1;

// Elf64_Ehdr field offsets.
constexpr u64 E_TYPE = 16;
constexpr u64 E_MACHINE = 18;
constexpr u64 E_VERSION = 20;
constexpr u64 E_ENTRY = 24;
constexpr u64 E_PHOFF = 32;
constexpr u64 E_PHENTSIZE = 54;
constexpr u64 E_PHNUM = 56;

// Elf64_Phdr field offsets.
constexpr u64 P_TYPE = 0;
constexpr u64 P_FLAGS = 4;
constexpr u64 P_OFFSET = 8;
constexpr u64 P_VADDR = 16;
constexpr u64 P_FILESZ = 32;
constexpr u64 P_MEMSZ = 40;
constexpr u64 P_ALIGN = 48;

// p_flags bits. Note the order differs from PROT_*: PF_X is 1, PF_R is 4.
constexpr u32 PF_X = 1;
constexpr u32 PF_W = 2;
constexpr u32 PF_R = 4;

u64 read_le(u8 const* p, unsigned bytes)
{
    u64 value = 0;
    for (unsigned i = 0; i < bytes; ++i)
        value |= u64(p[i]) << (8 * i);
    return value;
}

u16 read_u16(u8 const* p) { return u16(read_le(p, 2)); }
u32 read_u32(u8 const* p) { return u32(read_le(p, 4)); }
u64 read_u64(u8 const* p) { return read_le(p, 8); }

// a + b without wrapping; false when the sum does not fit in 64 bits.
bool checked_add(u64 a, u64 b, u64& sum) { return !__builtin_add_overflow(a, b, &sum); }

bool is_power_of_two(u64 x) { return x != 0 && (x & (x - 1)) == 0; }

u32 prot_from_flags(u32 flags)
{
    u32 prot = 0;
    if (flags & PF_R)
        prot |= ELF_PROT_READ;
    if (flags & PF_W)
        prot |= ELF_PROT_WRITE;
    if (flags & PF_X)
        prot |= ELF_PROT_EXEC;
    return prot;
}

// Validates one PT_LOAD header and turns it into a segment. Returns NoExec when its bytes
// lie outside the file, it does not fit in user space, or it cannot be mapped page-wise.
Result<ElfSegment> make_segment(u8 const* ph, u64 file_size)
{
    ElfSegment segment {};
    segment.vaddr = read_u64(ph + P_VADDR);
    segment.memsz = read_u64(ph + P_MEMSZ);
    segment.file_offset = read_u64(ph + P_OFFSET);
    segment.filesz = read_u64(ph + P_FILESZ);
    segment.prot = prot_from_flags(read_u32(ph + P_FLAGS));

    if (segment.filesz > segment.memsz)
        return Errno::NoExec;
    u64 file_end;
    if (!checked_add(segment.file_offset, segment.filesz, file_end) || file_end > file_size)
        return Errno::NoExec;
    u64 end;
    if (!checked_add(segment.vaddr, segment.memsz, end) || end > ELF_USER_SPACE_END)
        return Errno::NoExec;
    // File pages are mapped straight into the segment's pages, which only works when the
    // file offset and the address sit at the same place within a page.
    if ((segment.file_offset & (PAGE_SIZE - 1)) != (segment.vaddr & (PAGE_SIZE - 1)))
        return Errno::NoExec;

    // Like Linux, a p_align that is not a power of two is ignored rather than refused.
    u64 align = read_u64(ph + P_ALIGN);
    segment.alignment = (is_power_of_two(align) && align > PAGE_SIZE) ? align : PAGE_SIZE;
    return segment;
}

bool segments_overlap(ElfSegment const& a, ElfSegment const& b)
{
    return a.vaddr < b.vaddr + b.memsz && b.vaddr < a.vaddr + a.memsz;
}

// Adds `segment` to `image`, keeping the array sorted by vaddr. Returns NoExec if it
// overlaps a segment already there or the table is full.
Result<void> insert_segment(ElfImage& image, ElfSegment const& segment)
{
    if (image.segment_count == ELF_MAX_LOAD_SEGMENTS)
        return Errno::NoExec;
    for (u64 i = 0; i < image.segment_count; ++i) {
        if (segments_overlap(image.segments[i], segment))
            return Errno::NoExec;
    }
    u64 i = image.segment_count;
    while (i > 0 && image.segments[i - 1].vaddr > segment.vaddr) {
        image.segments[i] = image.segments[i - 1];
        --i;
    }
    image.segments[i] = segment;
    ++image.segment_count;
    return {};
}

bool entry_is_executable(ElfImage const& image)
{
    for (u64 i = 0; i < image.segment_count; ++i) {
        ElfSegment const& s = image.segments[i];
        if ((s.prot & ELF_PROT_EXEC) && image.entry >= s.vaddr && image.entry < s.vaddr + s.memsz)
            return true;
    }
    return false;
}

// Where the program-header table lands in memory when no PT_PHDR says so: inside the
// PT_LOAD whose file bytes contain it (Linux 5.18+ computes AT_PHDR the same way).
u64 find_loaded_phdr(ElfImage const& image, ElfHeader const& header)
{
    u64 table_end = header.phoff + header.program_headers_size(); // validated not to wrap
    for (u64 i = 0; i < image.segment_count; ++i) {
        ElfSegment const& s = image.segments[i];
        if (s.file_offset <= header.phoff && table_end <= s.file_offset + s.filesz)
            return s.vaddr + (header.phoff - s.file_offset);
    }
    return 0;
}

} // namespace

Result<ElfHeader> validate_elf_header(u8 const* data, u64 size)
{
    if (data == nullptr || size < ELF_HEADER_SIZE)
        return Errno::NoExec;
    if (data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
        return Errno::NoExec;
    if (data[EI_CLASS] != ELFCLASS64 || data[EI_DATA] != ELFDATA2LSB || data[EI_VERSION] != EV_CURRENT)
        return Errno::NoExec;
    if (read_u32(data + E_VERSION) != EV_CURRENT)
        return Errno::NoExec;
    if (read_u16(data + E_MACHINE) != ELF_MACHINE_X86_64)
        return Errno::NoExec;

    ElfHeader header {};
    header.type = read_u16(data + E_TYPE);
    if (header.type != ELF_TYPE_EXEC && header.type != ELF_TYPE_DYN)
        return Errno::NoExec;
    header.entry = read_u64(data + E_ENTRY);
    header.phoff = read_u64(data + E_PHOFF);
    header.phentsize = read_u16(data + E_PHENTSIZE);
    header.phnum = read_u16(data + E_PHNUM);
    if (header.phentsize != ELF_PROGRAM_HEADER_SIZE)
        return Errno::NoExec;
    if (header.phnum == 0 || header.program_headers_size() > ELF_MAX_PROGRAM_HEADER_BYTES)
        return Errno::NoExec;
    u64 table_end;
    if (!checked_add(header.phoff, header.program_headers_size(), table_end))
        return Errno::NoExec;
    return header;
}

Result<ElfImage> parse_elf_program_headers(ElfHeader const& header, u8 const* phdrs, u64 phdrs_size, u64 file_size)
{
    u64 table_size = header.program_headers_size();
    u64 table_end;
    if (phdrs == nullptr || phdrs_size < table_size || !checked_add(header.phoff, table_size, table_end) || table_end > file_size)
        return Errno::NoExec;

    ElfImage image {};
    image.entry = header.entry;
    image.type = header.type;
    image.position_independent = header.type == ELF_TYPE_DYN;
    image.phent_size = header.phentsize;
    image.phnum = header.phnum;
    image.max_alignment = PAGE_SIZE;

    bool has_phdr_segment = false;
    for (u64 i = 0; i < header.phnum; ++i) {
        u8 const* ph = phdrs + i * ELF_PROGRAM_HEADER_SIZE;
        switch (read_u32(ph + P_TYPE)) {
        case ELF_PT_LOAD: {
            // A PT_LOAD of size zero maps nothing; skipping it keeps the loader simple.
            if (read_u64(ph + P_MEMSZ) == 0 && read_u64(ph + P_FILESZ) == 0)
                break;
            ElfSegment segment = TRY(make_segment(ph, file_size));
            TRY(insert_segment(image, segment));
            image.max_alignment = max(image.max_alignment, segment.alignment);
            break;
        }
        case ELF_PT_INTERP: {
            // Linux takes the first PT_INTERP; a second one would be a malformed file.
            if (image.has_interpreter)
                return Errno::NoExec;
            u64 offset = read_u64(ph + P_OFFSET);
            u64 size = read_u64(ph + P_FILESZ);
            u64 end;
            if (size < 2 || !checked_add(offset, size, end) || end > file_size)
                return Errno::NoExec;
            image.has_interpreter = true;
            image.interpreter_offset = offset;
            image.interpreter_size = size;
            break;
        }
        case ELF_PT_PHDR:
            has_phdr_segment = true;
            image.phdr_vaddr = read_u64(ph + P_VADDR);
            break;
        case ELF_PT_GNU_STACK:
            image.executable_stack = (read_u32(ph + P_FLAGS) & PF_X) != 0;
            break;
        default:
            break;
        }
    }

    if (image.segment_count == 0)
        return Errno::NoExec;
    if (!entry_is_executable(image))
        return Errno::NoExec;
    if (!has_phdr_segment)
        image.phdr_vaddr = find_loaded_phdr(image, header);

    ElfSegment const& last = image.segments[image.segment_count - 1];
    image.lowest_vaddr = page_round_down(image.segments[0].vaddr);
    image.highest_vaddr = page_round_up(last.vaddr + last.memsz); // <= ELF_USER_SPACE_END
    return image;
}

Result<ElfImage> parse_elf(u8 const* data, u64 size)
{
    ElfHeader header = TRY(validate_elf_header(data, size));
    if (header.phoff > size)
        return Errno::NoExec;
    return parse_elf_program_headers(header, data + header.phoff, size - header.phoff, size);
}
