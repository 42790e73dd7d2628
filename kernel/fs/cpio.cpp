// newc cpio decoding. Every length read from the archive is checked against the bytes left
// before it is used, so a corrupt or hostile archive yields Invalid, never an overread.
#include "cpio.h"

namespace {

constexpr u64 HEADER_SIZE = 110;
constexpr u64 MAGIC_SIZE = 6;
constexpr u64 FIELD_SIZE = 8;
constexpr u64 ALIGNMENT = 4;
constexpr char TRAILER_NAME[] = "TRAILER!!!";

// Header fields, in the order they follow the magic.
enum Field : u64 {
    Ino,
    Mode,
    Uid,
    Gid,
    Nlink,
    Mtime,
    FileSize,
    DevMajor,
    DevMinor,
    RdevMajor,
    RdevMinor,
    NameSize,
    Check,
    FieldCount,
};
static_assert(MAGIC_SIZE + FieldCount * FIELD_SIZE == HEADER_SIZE);

enum class Magic {
    None,
    Plain,
    WithChecksum
};

Magic read_magic(u8 const* p)
{
    static constexpr char PREFIX[] = "07070";
    for (u64 i = 0; i < 5; ++i) {
        if (p[i] != u8(PREFIX[i]))
            return Magic::None;
    }
    if (p[5] == '1')
        return Magic::Plain;
    if (p[5] == '2')
        return Magic::WithChecksum;
    return Magic::None;
}

// Parses 8 hex digits (either case). Returns false on any other character.
bool parse_hex(u8 const* p, u32& value)
{
    value = 0;
    for (u64 i = 0; i < FIELD_SIZE; ++i) {
        u8 c = p[i];
        u32 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        value = (value << 4) | digit;
    }
    return true;
}

constexpr u64 align_up(u64 x) { return (x + ALIGNMENT - 1) & ~(ALIGNMENT - 1); }

bool equals(char const* a, u64 a_length, char const* b, u64 b_length)
{
    if (a_length != b_length)
        return false;
    for (u64 i = 0; i < a_length; ++i) {
        if (a[i] != b[i])
            return false;
    }
    return true;
}

// Drops leading "/" and "./" (repeatedly) and a lone "." so names are archive-relative.
void strip_prefix(char const*& name, u64& length)
{
    for (;;) {
        if (length >= 1 && name[0] == '/') {
            ++name;
            --length;
        } else if (length >= 2 && name[0] == '.' && name[1] == '/') {
            name += 2;
            length -= 2;
        } else if (length == 1 && name[0] == '.') {
            ++name;
            --length;
        } else {
            return;
        }
    }
}

} // namespace

Result<CpioArchive> CpioArchive::open(u8 const* data, u64 size)
{
    if (data == nullptr || size < HEADER_SIZE || read_magic(data) == Magic::None)
        return Errno::Invalid;
    return CpioArchive(data, size);
}

Result<bool> CpioArchive::next(CpioEntry& entry)
{
    if (m_state == State::Done)
        return false;
    if (m_state == State::Failed)
        return Errno::Invalid;
    auto result = decode_next(entry);
    if (result.is_error())
        m_state = State::Failed;
    else if (!result.value())
        m_state = State::Done;
    return result;
}

Result<void> CpioArchive::for_each(FunctionRef<Result<void>(CpioEntry const&)> visit)
{
    CpioEntry entry {};
    while (TRY(next(entry)))
        TRY(visit(entry));
    return {};
}

// One step of next(): decodes the entry at m_offset and advances past it.
Result<bool> CpioArchive::decode_next(CpioEntry& entry)
{
    // m_offset <= m_size always holds, so `left` cannot wrap.
    u64 left = m_size - m_offset;
    if (left < HEADER_SIZE)
        return Errno::Invalid;
    u8 const* header = m_data + m_offset;
    Magic magic = read_magic(header);
    if (magic == Magic::None)
        return Errno::Invalid;

    u32 fields[FieldCount];
    for (u64 i = 0; i < FieldCount; ++i) {
        if (!parse_hex(header + MAGIC_SIZE + i * FIELD_SIZE, fields[i]))
            return Errno::Invalid;
    }

    // The name must fit, be NUL-terminated, and hold no NUL before its end.
    u64 name_size = fields[NameSize];
    if (name_size == 0 || name_size > left - HEADER_SIZE)
        return Errno::Invalid;
    auto const* name = reinterpret_cast<char const*>(header + HEADER_SIZE);
    u64 name_length = name_size - 1;
    if (name[name_length] != '\0')
        return Errno::Invalid;
    for (u64 i = 0; i < name_length; ++i) {
        if (name[i] == '\0')
            return Errno::Invalid;
    }
    // The trailer's own padding may be cut off: nothing is read after it.
    if (equals(name, name_length, TRAILER_NAME, sizeof(TRAILER_NAME) - 1))
        return false;

    u64 data_offset = align_up(HEADER_SIZE + name_size); // relative to the header
    u64 size = fields[FileSize];
    if (data_offset > left || size > left - data_offset)
        return Errno::Invalid;
    u8 const* data = header + data_offset;
    if (magic == Magic::WithChecksum) {
        // The "crc" format's check field is the 32-bit sum of the data bytes.
        u32 sum = 0;
        for (u64 i = 0; i < size; ++i)
            sum += data[i];
        if (sum != fields[Check])
            return Errno::Invalid;
    }
    // The next header starts 4-aligned; padding may be missing only where nothing follows,
    // which the next call then reports as truncation.
    u64 entry_size = min(align_up(data_offset + size), left);

    strip_prefix(name, name_length);
    entry.name = name;
    entry.name_length = name_length;
    entry.mode = fields[Mode];
    entry.uid = fields[Uid];
    entry.gid = fields[Gid];
    entry.nlink = fields[Nlink];
    entry.mtime = fields[Mtime];
    entry.ino = fields[Ino];
    entry.dev_major = fields[DevMajor];
    entry.dev_minor = fields[DevMinor];
    entry.rdev_major = fields[RdevMajor];
    entry.rdev_minor = fields[RdevMinor];
    entry.data = data;
    entry.size = size;
    m_offset += entry_size;
    return true;
}
