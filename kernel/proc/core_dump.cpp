#include "core_dump.h"
#include "kernel/dev/clock.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/format.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/signal_numbers.h"
#include "kernel/mm/mapping.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/reverse_map.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "process.h"
#include <new>

namespace {

// ELF64 as a core file lays it out (the System V ABI, Linux's elf.h).
struct ElfHeader {
    u8 ident[16];
    u16 type, machine;
    u32 version;
    u64 entry, phoff, shoff;
    u32 flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct ProgramHeader {
    u32 type, flags;
    u64 offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(ElfHeader) == 64 && sizeof(ProgramHeader) == 56);
constexpr u16 ET_CORE = 4, EM_X86_64 = 62;
constexpr u32 PT_LOAD = 1, PT_NOTE = 4, PF_X = 1, PF_W = 2, PF_R = 4;
constexpr u32 NT_PRSTATUS = 1, NT_PRPSINFO = 3;

// Linux's struct elf_prstatus and elf_prpsinfo on x86_64; pr_reg is user_regs_struct.
struct Timeval {
    i64 seconds, microseconds;
};
struct PrStatus {
    i32 signo, code, errno_value; // pr_info
    i16 cursig;
    u64 sigpend, sighold;
    i32 pid, ppid, pgrp, sid;
    Timeval utime, stime, cutime, cstime;
    u64 regs[27]; // r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs
                  // eflags rsp ss fs_base gs_base ds es fs gs
    i32 fpvalid;
};
struct PrPsInfo {
    char state, sname, zombie, nice;
    u64 flag;
    u32 uid, gid;
    i32 pid, ppid, pgrp, sid;
    char fname[16];
    char psargs[80];
};
static_assert(sizeof(PrStatus) == 336 && sizeof(PrPsInfo) == 136);

// A note: its header, the name "CORE" padded to 8 bytes, the descriptor padded to 4.
constexpr usize NOTE_HEADER = 12 + 8;
constexpr usize NOTES_SIZE = NOTE_HEADER + sizeof(PrStatus) + NOTE_HEADER + sizeof(PrPsInfo);

Timeval timeval_of(u64 ns) { return { static_cast<i64>(ns / 1000000000), static_cast<i64>(ns % 1000000000 / 1000) }; }

u8* put_note(u8* at, u32 type, void const* descriptor, u32 size)
{
    u32 header[3] = { 5, size, type }; // "CORE" and its NUL
    memcpy(at, header, 12);
    memcpy(at + 12, "CORE\0\0\0", 8);
    memcpy(at + NOTE_HEADER, descriptor, size);
    return at + NOTE_HEADER + size; // both descriptors are multiples of 4 already
}

void fill_prstatus(PrStatus& out, Process& process, Thread& thread, int signal)
{
    out = {};
    out.signo = out.cursig = static_cast<i16>(signal);
    out.sigpend = thread.pending.bits() | process.pending.bits();
    out.sighold = thread.signal_mask;
    out.pid = static_cast<i32>(thread.tid());
    out.ppid = static_cast<i32>(process.parent() ? process.parent()->pid() : 0);
    out.pgrp = static_cast<i32>(process.process_group());
    out.sid = static_cast<i32>(process.session());
    CpuTimes own = thread_cpu_times(thread), children = process.children_cpu_times();
    out.utime = timeval_of(own.user_ns), out.stime = timeval_of(own.system_ns);
    out.cutime = timeval_of(children.user_ns), out.cstime = timeval_of(children.system_ns);
    TrapFrame const& f = thread.user_frame();
    u64 orig_rax = f.vector == SYSCALL_VECTOR ? f.error_code : ~u64(0); // -1: not in a system call
    u64 const regs[27] = { f.r15, f.r14, f.r13, f.r12, f.rbp, f.rbx, f.r11, f.r10, f.r9, f.r8, f.rax, f.rcx, f.rdx, f.rsi, f.rdi,
        orig_rax, f.rip, f.cs, f.rflags, f.rsp, f.ss, thread.fs_base, 0, 0, 0, 0, 0 };
    memcpy(out.regs, regs, sizeof regs);
}

void fill_prpsinfo(PrPsInfo& out, Process& process, Thread& thread)
{
    out = {};
    out.sname = 'R'; // running: it is the one dumping
    out.nice = static_cast<char>(thread.nice);
    out.uid = process.credentials.uid, out.gid = process.credentials.gid;
    out.pid = static_cast<i32>(process.pid());
    out.ppid = static_cast<i32>(process.parent() ? process.parent()->pid() : 0);
    out.pgrp = static_cast<i32>(process.process_group());
    out.sid = static_cast<i32>(process.session());
    usize n = min<usize>(strlen(thread.name()), sizeof out.fname - 1);
    memcpy(out.fname, thread.name(), n);
    // The arguments, NULs made spaces, as Linux copies them from the argument area.
    n = min<usize>(process.command_line_length(), sizeof out.psargs - 1);
    memcpy(out.psargs, process.command_line(), n);
    for (usize i = 0; i + 1 < n; ++i)
        if (out.psargs[i] == '\0')
            out.psargs[i] = ' ';
}

// Whether a private file mapping holds a page of its own (a copy made by a write): Linux's
// anon_vma, which makes it dumped like anonymous memory.
bool has_private_copies(AddressSpace& space, Mapping const& m)
{
    bool found = false;
    FrameNumber zero = space.context().zero_frame;
    space.page_table().for_each_present(m.start(), m.end(),
        [&](VirtAddr va, PteInfo const& pte) { found = found || (pte.frame != zero && !maps_cache_frame(m, va, pte.frame)); });
    return found;
}

// How many bytes of `m` the dump holds, from its start (Linux's vma_dump_size under
// COREDUMP_FILTER).
u64 dump_size(AddressSpace& space, Mapping const& m)
{
    if (m.has(VM_DONTDUMP) || strcmp(m.name(), "[vvar]") == 0)
        return 0;
    if (strcmp(m.name(), "[vdso]") == 0 || m.is_anonymous())
        return m.size(); // the vDSO always; anonymous memory, private and shared (0x1, 0x2)
    if (m.is_private() && has_private_copies(space, m))
        return m.size();
    // Filters 0x4 and 0x8 (file pages) are off; 0x10: the first page of an ELF file.
    u8 magic[4];
    if (m.file_offset() == 0 && m.is_readable() && !copy_from_user(space, magic, m.start(), 4).is_error()
        && memcmp(magic,
               "\x7f"
               "ELF",
               4)
            == 0)
        return PAGE_SIZE;
    return 0;
}

// The bytes of the page at `va` into `out`: false for a hole (a page never touched, the
// zero page, a file page that cannot be read).
bool read_page(AddressSpace& space, Mapping const& m, VirtAddr va, u8* out)
{
    MemoryContext& context = space.context();
    PteInfo pte = space.page_table().query(va);
    if (pte.present) {
        if (pte.frame == context.zero_frame)
            return false;
        memcpy(out, context.physical.map_frame(pte.frame), PAGE_SIZE);
        return true;
    }
    // A file page not mapped yet is read from the file, as Linux's get_dump_page faults it.
    return !m.is_anonymous() && m.is_readable() && !copy_from_user(space, out, va, PAGE_SIZE).is_error();
}

// core_pattern with its % specifiers expanded (Linux's format_corename).
void expand_pattern(Process& process, Thread& thread, int signal, char* out, usize capacity)
{
    char const* pattern = core_pattern().text;
    usize n = 0;
    auto put = [&](char const* text, bool slashes_to_bangs) {
        for (; *text && n + 1 < capacity; ++text)
            out[n++] = slashes_to_bangs && *text == '/' ? '!' : *text;
    };
    for (char const* p = pattern; *p; ++p) {
        if (*p != '%') {
            char one[2] = { *p, '\0' };
            put(one, false);
            continue;
        }
        char number[24] = "";
        switch (*++p) {
        case '\0':
            --p; // a lone % at the end is dropped
            break;
        case '%':
            put("%", false);
            break;
        case 'p':
        case 'P':
            format(number, sizeof number, "%u", process.pid());
            break;
        case 'i':
        case 'I':
            format(number, sizeof number, "%u", thread.tid());
            break;
        case 'u':
            format(number, sizeof number, "%u", process.credentials.uid);
            break;
        case 'g':
            format(number, sizeof number, "%u", process.credentials.gid);
            break;
        case 'd':
            format(number, sizeof number, "%d", process.dumpable ? 1 : 0);
            break;
        case 's':
            format(number, sizeof number, "%d", signal);
            break;
        case 't':
            format(number, sizeof number, "%lu", realtime_nanoseconds() / 1000000000);
            break;
        case 'c':
            format(number, sizeof number, "%lu", process.limits.soft(RLIMIT_CORE));
            break;
        case 'h':
            put("pagoda", false); // uname's nodename
            break;
        case 'e':
            put(thread.name(), true);
            break;
        case 'E':
            put(process.executable_path(), true);
            break;
        default:
            break; // unknown: dropped, as Linux drops it
        }
        put(number, false);
    }
    out[n] = '\0';
}

// The dump, once the file is open. As Linux's elf_core_dump, it counts as dumped (true) once
// its headers are ready: a write that fails or would pass RLIMIT_CORE ends the file there,
// and the wait status still says WCOREDUMP. False only without the memory to start.
bool write_dump(File& file, Process& process, Thread& thread, int signal, u64 limit)
{
    AddressSpace& space = process.address_space();
    usize count = 0;
    for (Mapping const& m : space.mappings()) {
        (void)m;
        ++count;
    }
    u64* sizes = new (std::nothrow) u64[count ? count : 1];
    u8* page = new (std::nothrow) u8[PAGE_SIZE];
    usize header_size = sizeof(ElfHeader) + (count + 1) * sizeof(ProgramHeader) + NOTES_SIZE;
    u8* header = new (std::nothrow) u8[header_size];
    bool dumped = sizes && page && header;
    if (dumped) {
        usize i = 0;
        for (Mapping const& m : space.mappings())
            sizes[i++] = dump_size(space, m);
        memset(header, 0, header_size);
        ElfHeader& elf = *reinterpret_cast<ElfHeader*>(header);
        memcpy(elf.ident,
            "\x7f"
            "ELF\x02\x01\x01",
            7); // 64-bit, little-endian, version 1, System V
        elf.type = ET_CORE, elf.machine = EM_X86_64, elf.version = 1;
        elf.phoff = sizeof(ElfHeader), elf.ehsize = sizeof(ElfHeader), elf.phentsize = sizeof(ProgramHeader);
        elf.phnum = static_cast<u16>(count + 1 > 0xffff ? 0xffff : count + 1);
        auto* phdrs = reinterpret_cast<ProgramHeader*>(header + sizeof(ElfHeader));
        u64 notes_at = sizeof(ElfHeader) + (count + 1) * sizeof(ProgramHeader);
        phdrs[0] = { PT_NOTE, 0, notes_at, 0, 0, NOTES_SIZE, 0, 4 };
        u64 offset = (header_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); // the memory starts page aligned
        i = 0;
        for (Mapping const& m : space.mappings()) {
            u32 flags = (m.is_readable() ? PF_R : 0) | (m.is_writable() ? PF_W : 0) | (m.is_executable() ? PF_X : 0);
            phdrs[1 + i] = { PT_LOAD, flags, offset, m.start(), 0, sizes[i], m.size(), PAGE_SIZE };
            offset += sizes[i++];
        }
        u64 file_end = offset;
        PrStatus status;
        fill_prstatus(status, process, thread, signal);
        PrPsInfo info;
        fill_prpsinfo(info, process, thread);
        put_note(put_note(header + notes_at, NT_PRSTATUS, &status, sizeof status), NT_PRPSINFO, &info, sizeof info);
        // Linux counts what it writes against RLIMIT_CORE; holes are not written.
        u64 emitted = header_size, last_written = header_size;
        bool written = emitted <= limit && !file.write(header, header_size, 0).is_error();
        i = 0;
        for (Mapping const& m : space.mappings()) {
            u64 at = phdrs[1 + i].offset;
            for (u64 done = 0; written && done < sizes[i]; done += PAGE_SIZE) {
                if (!read_page(space, m, m.start() + done, page))
                    continue;
                emitted += PAGE_SIZE;
                written = emitted <= limit && !file.write(page, PAGE_SIZE, at + done).is_error();
                last_written = at + done + PAGE_SIZE;
            }
            ++i;
        }
        // A hole at the end still counts in the file's size (Linux writes its last byte).
        if (written && last_written < file_end) {
            u8 zero = 0;
            written = emitted + 1 <= limit && !file.write(&zero, 1, file_end - 1).is_error();
        }
    }
    delete[] sizes;
    delete[] page;
    delete[] header;
    return dumped;
}

}

bool signal_dumps_core(int signal)
{
    switch (signal) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
        return true;
    }
    return false;
}

CorePattern& core_pattern()
{
    static CorePattern pattern;
    return pattern;
}

bool write_core_dump(Process& process, Thread& thread, int signal)
{
    u64 limit = process.limits.soft(RLIMIT_CORE);
    if (!process.dumpable || limit < PAGE_SIZE || !process.has_address_space())
        return false;
    if (core_pattern().text[0] == '|') {
        klog("pid %u: core_pattern pipes to a program, which Pagoda does not support: no core dump", process.pid());
        return false;
    }
    auto name = PathBuffer::create();
    auto path = PathBuffer::create();
    if (name.is_error() || path.is_error())
        return false;
    expand_pattern(process, thread, signal, name.value(), PATH_MAX);
    Credentials const& who = process.credentials;
    if (name.value()[0] == '\0' || normalize_path(process.cwd(), name.value(), path.value(), PATH_MAX, &who).is_error())
        return false;
    (void)vfs_unlink(path.value(), who); // a file left from before goes; none is fine too
    auto file = vfs_open(path.value(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0600, who);
    if (file.is_error()) {
        klog("pid %u: core dump to %s: %s", process.pid(), path.value().data(), errno_name(file.error()));
        return false;
    }
    return write_dump(*file.value(), process, thread, signal, limit);
}
