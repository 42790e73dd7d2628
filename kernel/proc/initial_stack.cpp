// Initial user stack construction. Sizes are computed first, top-down as Linux places
// things, then the image is written in one pass into the caller's buffer.
#include "initial_stack.h"

namespace {

constexpr char PLATFORM[] = "x86_64";
constexpr u64 PLATFORM_SIZE = sizeof(PLATFORM); // with its NUL
constexpr u64 RANDOM_SIZE = 16;
constexpr u64 WORD = 8;
// Linux leaves one NULL pointer's worth of zeros at the very top (bprm->p starts at
// vm_end - sizeof(void *)).
constexpr u64 TOP_GUARD = WORD;

// Size of `s` with its NUL, or 0 when that exceeds EXEC_MAX_STRING_LENGTH. Never reads more
// than EXEC_MAX_STRING_LENGTH bytes, so a huge string costs bounded time.
u64 string_size(char const* s)
{
    for (u64 i = 0; i < EXEC_MAX_STRING_LENGTH; ++i) {
        if (s[i] == '\0')
            return i + 1;
    }
    return 0;
}

// Adds the sizes of `list`'s strings to `total`. Returns ArgListTooBig for an overlong
// string or once `total` passes `limit` (stopping early keeps huge lists cheap).
Result<void> add_string_sizes(StringList list, u64 limit, u64& total)
{
    VERIFY(list.count == 0 || list.items != nullptr);
    for (u64 i = 0; i < list.count; ++i) {
        VERIFY(list.items[i] != nullptr);
        u64 size = string_size(list.items[i]);
        if (size == 0)
            return Errno::ArgListTooBig;
        total += size;
        if (total > limit)
            return Errno::ArgListTooBig;
    }
    return {};
}

// Writes into the image by user address; the image's first byte is the one at `m_base`.
class ImageWriter {
public:
    ImageWriter(u8* buffer, u64 base) : m_buffer(buffer), m_base(base) { }

    void word(u64 address, u64 value)
    {
        u8* p = at(address);
        for (u64 i = 0; i < WORD; ++i)
            p[i] = u8(value >> (8 * i));
    }
    void bytes(u64 address, void const* source, u64 size)
    {
        u8* p = at(address);
        auto const* s = static_cast<u8 const*>(source);
        for (u64 i = 0; i < size; ++i)
            p[i] = s[i];
    }
    // Copies strings upward from `address` and stores each one's user address in the
    // pointer array at `pointers`. Returns the address after the last NUL.
    u64 strings(u64 address, StringList list, u64 pointers)
    {
        for (u64 i = 0; i < list.count; ++i) {
            u64 size = string_size(list.items[i]); // validated non-zero
            word(pointers + i * WORD, address);
            bytes(address, list.items[i], size);
            address += size;
        }
        return address;
    }

private:
    u8* at(u64 address) { return m_buffer + (address - m_base); }

    u8* m_buffer;
    u64 m_base;
};

struct AuxEntry {
    AuxKey key;
    u64 value;
};

// The most auxv entries build_initial_stack writes, AT_NULL included.
constexpr u64 MAX_AUX_ENTRIES = 21;

// Bytes of `list`'s strings and pointers, stopping once past `limit`.
u64 list_bytes(StringList list, u64 limit)
{
    u64 total = 0;
    for (u64 i = 0; i < list.count && total <= limit; ++i) {
        u64 size = string_size(list.items[i]);
        total += (size ? size : EXEC_MAX_STRING_LENGTH) + WORD;
    }
    return total;
}

} // namespace

Result<InitialStack> build_initial_stack(u64 stack_top, StringList argv, StringList envp, AuxValues const& aux,
    u8 const random[16], char const* execfn, u8* out_buffer, u64 out_capacity)
{
    VERIFY((stack_top & 15) == 0);
    VERIFY(execfn != nullptr && random != nullptr);

    if (argv.count > EXEC_MAX_STRINGS || envp.count > EXEC_MAX_STRINGS)
        return Errno::ArgListTooBig;

    // Linux substitutes argv = { "" } for an empty argv so that argv[0] always exists.
    static char const* const EMPTY_ARGV[] = { "" };
    if (argv.count == 0)
        argv = StringList { EMPTY_ARGV, 1 };

    // fs/exec.c bprm_stack_limits: the pointer arrays are charged first, then the strings
    // (execfn included) must fit in what is left.
    u64 pointer_bytes = (argv.count + envp.count) * WORD;
    if (pointer_bytes >= EXEC_ARG_SPACE_LIMIT)
        return Errno::ArgListTooBig;
    u64 string_limit = EXEC_ARG_SPACE_LIMIT - pointer_bytes;
    u64 execfn_size = string_size(execfn);
    if (execfn_size == 0)
        return Errno::ArgListTooBig;
    u64 strings_bytes = execfn_size;
    if (strings_bytes > string_limit)
        return Errno::ArgListTooBig;
    TRY(add_string_sizes(envp, string_limit, strings_bytes));
    TRY(add_string_sizes(argv, string_limit, strings_bytes));

    // Linux's order: ARCH_DLINFO's entries first, then create_elf_tables()'s.
    AuxEntry const all_entries[] = {
        { AuxKey::SysinfoEhdr, aux.sysinfo_ehdr }, // optional: dropped below when 0
        { AuxKey::MinSigStackSize, aux.min_signal_stack }, // likewise
        { AuxKey::Hwcap, aux.hwcap },
        { AuxKey::PageSize, PAGE_SIZE },
        { AuxKey::ClockTick, EXEC_CLOCK_TICKS },
        { AuxKey::Phdr, aux.phdr },
        { AuxKey::Phent, aux.phent },
        { AuxKey::Phnum, aux.phnum },
        { AuxKey::Base, aux.base },
        { AuxKey::Flags, 0 },
        { AuxKey::Entry, aux.entry },
        { AuxKey::Uid, aux.uid },
        { AuxKey::Euid, aux.euid },
        { AuxKey::Gid, aux.gid },
        { AuxKey::Egid, aux.egid },
        { AuxKey::Secure, aux.secure },
        { AuxKey::Random, 0 }, // filled in below, once its address is known
        { AuxKey::Hwcap2, aux.hwcap2 },
        { AuxKey::ExecFn, 0 }, // likewise
        { AuxKey::Platform, 0 }, // likewise
        { AuxKey::Null, 0 },
    };
    static_assert(sizeof(all_entries) / sizeof(all_entries[0]) <= MAX_AUX_ENTRIES);
    AuxEntry entries[sizeof(all_entries) / sizeof(all_entries[0])];
    u64 entry_count = 0;
    for (AuxEntry const& entry : all_entries) {
        bool optional = entry.key == AuxKey::SysinfoEhdr || entry.key == AuxKey::MinSigStackSize;
        if (!optional || entry.value != 0)
            entries[entry_count++] = entry;
    }

    // Addresses, from the top down, as create_elf_tables() allocates them.
    u64 strings_start = stack_top - TOP_GUARD - strings_bytes;
    u64 execfn_address = stack_top - TOP_GUARD - execfn_size;
    u64 platform_address = (strings_start & ~u64(15)) - PLATFORM_SIZE;
    u64 random_address = platform_address - RANDOM_SIZE;
    u64 words = 1 + (argv.count + 1) + (envp.count + 1) + 2 * entry_count;
    u64 rsp = (random_address - words * WORD) & ~u64(15);
    u64 size = stack_top - rsp;
    if (size > out_capacity || out_buffer == nullptr)
        return Errno::ArgListTooBig;

    for (u64 i = 0; i < size; ++i)
        out_buffer[i] = 0; // padding and the top guard read as zeros, as on Linux

    ImageWriter image(out_buffer, rsp);
    u64 argv_pointers = rsp + WORD;
    u64 envp_pointers = argv_pointers + (argv.count + 1) * WORD;
    u64 auxv = envp_pointers + (envp.count + 1) * WORD;

    image.word(rsp, argv.count);
    InitialStack result {};
    result.rsp = rsp;
    result.size = size;
    result.argc = argv.count;
    result.arg_start = strings_start;
    result.arg_end = image.strings(strings_start, argv, argv_pointers);
    result.env_start = result.arg_end;
    result.env_end = image.strings(result.env_start, envp, envp_pointers);
    VERIFY(result.env_end == execfn_address);
    // The NULLs ending argv[] and envp[] are already zero.

    image.bytes(execfn_address, execfn, execfn_size);
    image.bytes(platform_address, PLATFORM, PLATFORM_SIZE);
    image.bytes(random_address, random, RANDOM_SIZE);

    for (u64 i = 0; i < entry_count; ++i) {
        AuxEntry entry = entries[i];
        if (entry.key == AuxKey::Random)
            entry.value = random_address;
        else if (entry.key == AuxKey::ExecFn)
            entry.value = execfn_address;
        else if (entry.key == AuxKey::Platform)
            entry.value = platform_address;
        image.word(auxv + 2 * i * WORD, static_cast<u64>(entry.key));
        image.word(auxv + (2 * i + 1) * WORD, entry.value);
    }
    return result;
}

u64 initial_stack_capacity(StringList argv, StringList envp, char const* execfn, u64 limit)
{
    // The empty argv's "" and its pointer; the NULLs ending both lists; argc; the auxv;
    // the top guard, platform string and random bytes; two alignments to 16.
    u64 fixed = 1 + WORD + 2 * WORD + WORD + MAX_AUX_ENTRIES * 2 * WORD + TOP_GUARD + PLATFORM_SIZE + RANDOM_SIZE + 2 * 15;
    u64 execfn_size = string_size(execfn);
    u64 total = fixed + (execfn_size ? execfn_size : EXEC_MAX_STRING_LENGTH);
    total += list_bytes(argv, limit);
    if (total <= limit)
        total += list_bytes(envp, limit);
    return min(total, limit);
}
