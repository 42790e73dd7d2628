// ELF parsing: well-formed images built byte by byte, a real static binary when the host
// has one, and every way a malformed file must be refused with ENOEXEC.
#include "kernel/proc/elf.h"
#include <cstdio>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr u32 PF_X = 1, PF_W = 2, PF_R = 4;

struct Phdr {
    u32 type;
    u32 flags;
    u64 offset;
    u64 vaddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};

// Builds an ELF64 file in memory: header at 0, program headers right after it.
class ElfBuilder {
public:
    u8 ident_class = 2, ident_data = 1, ident_version = 1;
    u16 type = 2, machine = 62, phentsize = 56;
    u32 version = 1;
    u64 entry = 0x401000;
    u64 file_size = 0x3000;
    std::vector<Phdr> phdrs;
    // When set, overrides the e_phnum written (to lie about the table).
    int phnum_override = -1;

    std::vector<u8> build() const
    {
        std::vector<u8> f(file_size, 0);
        u8 header[64] = { 0x7f, 'E', 'L', 'F', ident_class, ident_data, ident_version };
        put(header, 16, type, 2);
        put(header, 18, machine, 2);
        put(header, 20, version, 4);
        put(header, 24, entry, 8);
        put(header, 32, 64, 8); // e_phoff
        put(header, 52, 64, 2); // e_ehsize
        put(header, 54, phentsize, 2);
        put(header, 56, phnum_override >= 0 ? u64(phnum_override) : phdrs.size(), 2);
        std::memcpy(f.data(), header, std::min<size_t>(64, f.size()));
        for (size_t i = 0; i < phdrs.size(); ++i) {
            u8 ph[56] = {};
            Phdr const& p = phdrs[i];
            put(ph, 0, p.type, 4);
            put(ph, 4, p.flags, 4);
            put(ph, 8, p.offset, 8);
            put(ph, 16, p.vaddr, 8);
            put(ph, 24, p.vaddr, 8); // p_paddr
            put(ph, 32, p.filesz, 8);
            put(ph, 40, p.memsz, 8);
            put(ph, 48, p.align, 8);
            size_t at = 64 + i * 56;
            if (at < f.size())
                std::memcpy(f.data() + at, ph, std::min<size_t>(56, f.size() - at));
        }
        return f;
    }

    static void put(u8* p, size_t at, u64 value, int bytes)
    {
        for (int i = 0; i < bytes; ++i)
            p[at + i] = u8(value >> (8 * i));
    }
};

// A typical static executable: R headers segment, R+X text, RW data + bss.
ElfBuilder typical_static()
{
    ElfBuilder b;
    b.phdrs = {
        { ELF_PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000 },
        { ELF_PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800, 0x1000 },
        { ELF_PT_LOAD, PF_R | PF_W, 0x2100, 0x403100, 0x100, 0x5000, 0x1000 },
        { ELF_PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16 },
    };
    return b;
}

Result<ElfImage> parse(ElfBuilder const& b)
{
    std::vector<u8> f = b.build();
    return parse_elf(f.data(), f.size());
}

void expect_noexec(ElfBuilder const& b)
{
    auto result = parse(b);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoExec);
}

// The smallest useful static program: one R+X PT_LOAD holding headers and code that does
// exit(42). 120 bytes of headers, then mov edi,42; mov eax,60 (exit); syscall.
std::vector<u8> exit42_program()
{
    ElfBuilder b;
    b.entry = 0x400000 + 64 + 56;
    b.file_size = 64 + 56 + 12;
    b.phdrs = { { ELF_PT_LOAD, PF_R | PF_X, 0, 0x400000, b.file_size, b.file_size, 0x1000 } };
    std::vector<u8> f = b.build();
    u8 const code[] = { 0xbf, 42, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05 };
    std::memcpy(f.data() + 120, code, sizeof code);
    return f;
}

} // namespace

TEST(ElfParse, TypicalStaticExecutable)
{
    auto result = parse(typical_static());
    ASSERT_FALSE(result.is_error());
    ElfImage const& image = result.value();
    EXPECT_EQ(image.entry, 0x401000u);
    EXPECT_EQ(image.type, ELF_TYPE_EXEC);
    EXPECT_FALSE(image.position_independent);
    EXPECT_FALSE(image.has_interpreter);
    EXPECT_FALSE(image.executable_stack);
    EXPECT_EQ(image.phdr_vaddr, 0x400040u); // no PT_PHDR: found inside the first PT_LOAD
    EXPECT_EQ(image.phent_size, 56);
    EXPECT_EQ(image.phnum, 4);
    ASSERT_EQ(image.segment_count, 3u);
    EXPECT_EQ(image.segments[0].prot, ELF_PROT_READ);
    EXPECT_EQ(image.segments[1].prot, ELF_PROT_READ | ELF_PROT_EXEC);
    EXPECT_EQ(image.segments[2].prot, ELF_PROT_READ | ELF_PROT_WRITE);
    EXPECT_EQ(image.segments[2].file_offset, 0x2100u);
    EXPECT_EQ(image.segments[2].filesz, 0x100u);
    EXPECT_EQ(image.segments[2].memsz, 0x5000u);
    EXPECT_EQ(image.segments[2].alignment, PAGE_SIZE);
    EXPECT_EQ(image.lowest_vaddr, 0x400000u);
    EXPECT_EQ(image.highest_vaddr, 0x409000u); // 0x403100 + 0x5000 rounded up
    EXPECT_EQ(image.max_alignment, PAGE_SIZE);
}

TEST(ElfParse, SegmentsAreSortedByAddress)
{
    ElfBuilder b = typical_static();
    std::swap(b.phdrs[0], b.phdrs[2]);
    auto result = parse(b);
    ASSERT_FALSE(result.is_error());
    ElfImage const& image = result.value();
    ASSERT_EQ(image.segment_count, 3u);
    EXPECT_EQ(image.segments[0].vaddr, 0x400000u);
    EXPECT_EQ(image.segments[1].vaddr, 0x401000u);
    EXPECT_EQ(image.segments[2].vaddr, 0x403100u);
}

TEST(ElfParse, StaticPieWithPhdrAndExecutableStack)
{
    ElfBuilder b;
    b.type = ELF_TYPE_DYN;
    b.entry = 0x1040;
    b.phdrs = {
        { ELF_PT_PHDR, PF_R, 64, 64, 4 * 56, 4 * 56, 8 },
        { ELF_PT_LOAD, PF_R, 0, 0, 0x400, 0x400, 0x200000 },
        { ELF_PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x200, 0x200, 0x1000 },
        { ELF_PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16 },
    };
    auto result = parse(b);
    ASSERT_FALSE(result.is_error());
    ElfImage const& image = result.value();
    EXPECT_TRUE(image.position_independent);
    EXPECT_FALSE(image.has_interpreter);
    EXPECT_TRUE(image.executable_stack);
    EXPECT_EQ(image.phdr_vaddr, 64u);
    EXPECT_EQ(image.lowest_vaddr, 0u);
    EXPECT_EQ(image.highest_vaddr, 0x2000u);
    EXPECT_EQ(image.segments[0].alignment, 0x200000u);
    EXPECT_EQ(image.max_alignment, 0x200000u);
}

TEST(ElfParse, DynamicBinaryReportsInterpreter)
{
    ElfBuilder b = typical_static();
    b.type = ELF_TYPE_DYN;
    char const interp[] = "/lib64/ld-linux-x86-64.so.2";
    b.phdrs.push_back({ ELF_PT_INTERP, PF_R, 0x300, 0x400300, sizeof interp, sizeof interp, 1 });
    std::vector<u8> f = b.build();
    std::memcpy(f.data() + 0x300, interp, sizeof interp);
    auto result = parse_elf(f.data(), f.size());
    ASSERT_FALSE(result.is_error());
    EXPECT_TRUE(result.value().has_interpreter);
    EXPECT_EQ(result.value().interpreter_offset, 0x300u);
    EXPECT_EQ(result.value().interpreter_size, sizeof interp);
    EXPECT_STREQ(reinterpret_cast<char const*>(f.data() + 0x300), interp);
}

TEST(ElfParse, PhdrNotLoadedGivesZero)
{
    ElfBuilder b = typical_static();
    b.phdrs.erase(b.phdrs.begin()); // drop the segment that maps the headers
    auto result = parse(b);
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value().phdr_vaddr, 0u);
}

TEST(ElfParse, ZeroSizedLoadIsIgnored)
{
    ElfBuilder b = typical_static();
    b.phdrs.push_back({ ELF_PT_LOAD, PF_R, 0, 0x400000, 0, 0, 0x1000 });
    auto result = parse(b);
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value().segment_count, 3u);
}

TEST(ElfParse, SplitApiReadsOnlyHeaders)
{
    std::vector<u8> f = typical_static().build();
    auto header = validate_elf_header(f.data(), 64);
    ASSERT_FALSE(header.is_error());
    EXPECT_EQ(header.value().phoff, 64u);
    EXPECT_EQ(header.value().program_headers_size(), 4u * 56);
    auto image = parse_elf_program_headers(header.value(), f.data() + 64, 4 * 56, f.size());
    ASSERT_FALSE(image.is_error());
    EXPECT_EQ(image.value().segment_count, 3u);
    // A short program-header buffer is refused, not overread.
    auto short_table = parse_elf_program_headers(header.value(), f.data() + 64, 4 * 56 - 1, f.size());
    ASSERT_TRUE(short_table.is_error());
    EXPECT_EQ(short_table.error(), Errno::NoExec);
}

TEST(ElfParse, HandBuiltProgramParsesAndRunsOnHost)
{
    std::vector<u8> f = exit42_program();
    auto result = parse_elf(f.data(), f.size());
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value().entry, 0x400078u);
    EXPECT_EQ(result.value().phdr_vaddr, 0x400040u);
    EXPECT_EQ(result.value().segment_count, 1u);

    // Proof that the bytes describe a real Linux program: the host kernel runs it.
    std::string path = testing::TempDir() + "pagoda_elf_exit42";
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<char const*>(f.data()), std::streamsize(f.size()));
    }
    ASSERT_EQ(chmod(path.c_str(), 0755), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        char* const argv[] = { const_cast<char*>(path.c_str()), nullptr };
        execv(path.c_str(), argv);
        _exit(127); // exec refused (e.g. a noexec temp directory)
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    unlink(path.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 127)
        GTEST_SKIP() << "host cannot execute files in " << testing::TempDir();
    EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(ElfParse, RealStaticBusybox)
{
    std::ifstream in("/bin/busybox", std::ios::binary);
    if (!in)
        GTEST_SKIP() << "no /bin/busybox";
    std::vector<u8> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto result = parse_elf(f.data(), f.size());
    if (!result.is_error() && result.value().has_interpreter)
        GTEST_SKIP() << "/bin/busybox is dynamically linked";
    ASSERT_FALSE(result.is_error());
    ElfImage const& image = result.value();
    EXPECT_GE(image.segment_count, 2u);
    EXPECT_NE(image.phdr_vaddr, 0u);
    EXPECT_EQ(image.phent_size, 56);
    bool has_exec = false, has_write = false;
    for (u64 i = 0; i < image.segment_count; ++i) {
        has_exec |= (image.segments[i].prot & ELF_PROT_EXEC) != 0;
        has_write |= (image.segments[i].prot & ELF_PROT_WRITE) != 0;
        if (i > 0) {
            EXPECT_LE(image.segments[i - 1].vaddr + image.segments[i - 1].memsz, image.segments[i].vaddr);
        }
    }
    EXPECT_TRUE(has_exec);
    EXPECT_TRUE(has_write);
}

TEST(ElfReject, TruncatedHeader)
{
    std::vector<u8> f = typical_static().build();
    for (u64 size : { 0ul, 4ul, 63ul }) {
        auto result = parse_elf(f.data(), size);
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error(), Errno::NoExec);
    }
    // Header intact but the program-header table cut off.
    auto result = parse_elf(f.data(), 64 + 56);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoExec);
}

TEST(ElfReject, BadMagic)
{
    std::vector<u8> f = typical_static().build();
    f[1] = 'X';
    auto result = parse_elf(f.data(), f.size());
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoExec);
    char const script[] = "#!/bin/sh\necho hi\n"
                          "                                                          ";
    auto not_elf = parse_elf(reinterpret_cast<u8 const*>(script), sizeof script);
    ASSERT_TRUE(not_elf.is_error());
}

TEST(ElfReject, WrongClassDataVersionMachineType)
{
    ElfBuilder b = typical_static();
    b.ident_class = 1; // ELFCLASS32
    expect_noexec(b);
    b = typical_static();
    b.ident_data = 2; // big-endian
    expect_noexec(b);
    b = typical_static();
    b.ident_version = 0;
    expect_noexec(b);
    b = typical_static();
    b.version = 2;
    expect_noexec(b);
    b = typical_static();
    b.machine = 3; // EM_386
    expect_noexec(b);
    b = typical_static();
    b.machine = 183; // EM_AARCH64
    expect_noexec(b);
    b = typical_static();
    b.type = 1; // ET_REL
    expect_noexec(b);
    b = typical_static();
    b.type = 4; // ET_CORE
    expect_noexec(b);
}

TEST(ElfReject, PhentsizeAndPhnum)
{
    ElfBuilder b = typical_static();
    b.phentsize = 64;
    expect_noexec(b);
    b = typical_static();
    b.phnum_override = 0;
    expect_noexec(b);
    b = typical_static();
    b.phnum_override = 0xffff; // table of 3.6 MB: beyond Linux's 64 KiB cap
    b.file_size = 0x400000;
    expect_noexec(b);
}

TEST(ElfReject, NoLoadSegment)
{
    ElfBuilder b;
    b.phdrs = { { ELF_PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16 } };
    expect_noexec(b);
}

TEST(ElfReject, FileszAboveMemsz)
{
    ElfBuilder b = typical_static();
    b.phdrs[2].filesz = 0x6000;
    b.file_size = 0x10000;
    expect_noexec(b);
}

TEST(ElfReject, SegmentBeyondFile)
{
    ElfBuilder b = typical_static();
    b.phdrs[2].filesz = 0x1000; // 0x2100 + 0x1000 > 0x3000
    expect_noexec(b);
    b = typical_static();
    b.phdrs[2].offset = 0xffff'ffff'ffff'f100; // offset + filesz wraps
    b.phdrs[2].vaddr = 0x403100;
    expect_noexec(b);
}

TEST(ElfReject, HugeOrWrappingSegment)
{
    ElfBuilder b = typical_static();
    b.phdrs[2].memsz = 0x0000'7fff'ffff'0000; // ends beyond user space
    expect_noexec(b);
    b = typical_static();
    b.phdrs[2].vaddr = 0xffff'ffff'8000'0100; // kernel half
    b.phdrs[2].offset = 0x2100;
    expect_noexec(b);
    b = typical_static();
    b.phdrs[2].vaddr = 0xffff'ffff'ffff'f100;
    b.phdrs[2].memsz = 0x2000; // vaddr + memsz wraps to a small address
    expect_noexec(b);
    b = typical_static();
    b.phdrs[2].vaddr = ELF_USER_SPACE_END - 0x1000 + 0x100;
    b.phdrs[2].memsz = 0xf00; // ends exactly at the limit: fine
    auto ok = parse(b);
    EXPECT_FALSE(ok.is_error());
}

TEST(ElfReject, OverlappingSegments)
{
    ElfBuilder b = typical_static();
    b.phdrs[2].vaddr = 0x401100; // inside the text segment
    b.phdrs[2].offset = 0x2100;
    expect_noexec(b);
    // Touching (end == start) is not overlapping.
    b = typical_static();
    b.phdrs[0].memsz = 0x1000;
    b.phdrs[0].filesz = 0x1000;
    EXPECT_FALSE(parse(b).is_error());
}

TEST(ElfReject, EntryOutsideExecutableSegment)
{
    ElfBuilder b = typical_static();
    b.entry = 0x500000; // in no segment
    expect_noexec(b);
    b = typical_static();
    b.entry = 0x400010; // in the read-only headers segment
    expect_noexec(b);
    b = typical_static();
    b.entry = 0x401800; // one past the end of text
    expect_noexec(b);
}

TEST(ElfReject, OffsetAndAddressNotCongruent)
{
    ElfBuilder b = typical_static();
    b.phdrs[2].offset = 0x2000; // vaddr 0x403100 is at page offset 0x100
    expect_noexec(b);
}

TEST(ElfReject, TooManyLoadSegments)
{
    ElfBuilder b;
    b.file_size = 0x20000;
    for (u64 i = 0; i < ELF_MAX_LOAD_SEGMENTS + 1; ++i)
        b.phdrs.push_back({ ELF_PT_LOAD, PF_R | PF_X, 0x1000 * (i + 1), 0x401000 + 0x1000 * i, 0x10, 0x10, 0x1000 });
    expect_noexec(b);
    b.phdrs.pop_back();
    EXPECT_FALSE(parse(b).is_error());
}

TEST(ElfReject, InterpreterPathBeyondFile)
{
    ElfBuilder b = typical_static();
    b.phdrs.push_back({ ELF_PT_INTERP, PF_R, 0x2ff0, 0, 0x20, 0x20, 1 });
    expect_noexec(b);
}
