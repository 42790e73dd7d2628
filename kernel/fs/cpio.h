// Reader for "newc" cpio archives (`cpio -o -H newc`, the initramfs format). The archive
// stays where it is; entries point into it. Layout of one entry:
//
//   [110-byte ASCII header][name + NUL][pad to 4][file data][pad to 4]
//   header = "070701" (or "070702": data checksummed) then 13 fields of 8 hex digits:
//            ino mode uid gid nlink mtime filesize devmajor devminor
//            rdevmajor rdevminor namesize check
//
// Offsets are counted from the archive's start. The entry named "TRAILER!!!" ends it.
#pragma once

#include "../lib/function_ref.h"
#include "../lib/result.h"
#include "../lib/types.h"

constexpr u32 CPIO_TYPE_MASK = 0170000; // S_IFMT
constexpr u32 CPIO_TYPE_DIRECTORY = 0040000; // S_IFDIR
constexpr u32 CPIO_TYPE_REGULAR = 0100000; // S_IFREG
constexpr u32 CPIO_TYPE_SYMLINK = 0120000; // S_IFLNK

struct CpioEntry {
    // Path with any leading "./" and "/" removed: "./bin/sh" -> "bin/sh"; the archive's root
    // "." becomes "". NUL-terminated, pointing into the archive.
    char const* name;
    u64 name_length; // without the NUL
    u32 mode; // file type (CPIO_TYPE_*) and permission bits
    u32 uid;
    u32 gid;
    u32 nlink;
    u32 mtime; // seconds since the epoch
    u32 ino; // hard links share (ino, dev); only the last one carries the data
    u32 dev_major;
    u32 dev_minor;
    u32 rdev_major; // device number of a device node
    u32 rdev_minor;
    u8 const* data; // `size` bytes inside the archive; a symlink's data is its target
    u64 size;

    u32 type() const { return mode & CPIO_TYPE_MASK; }
    bool is_directory() const { return type() == CPIO_TYPE_DIRECTORY; }
    bool is_regular() const { return type() == CPIO_TYPE_REGULAR; }
    bool is_symlink() const { return type() == CPIO_TYPE_SYMLINK; }
};

class CpioArchive {
public:
    // Wraps `size` bytes at `data`, which must outlive the archive and its entries.
    // Returns Invalid unless the bytes start with a newc header.
    static Result<CpioArchive> open(u8 const* data, u64 size);

    // Decodes the next entry into `entry`. Returns true for an entry, false once the
    // trailer is reached (and on every later call), Invalid for a truncated or corrupt
    // archive (and on every later call). Never reads outside [data, data + size).
    Result<bool> next(CpioEntry& entry);

    // Calls `visit` for each entry from the current position to the trailer. Stops at the
    // first error, from the archive (Invalid) or from `visit`, and returns it.
    Result<void> for_each(FunctionRef<Result<void>(CpioEntry const&)> visit);

private:
    CpioArchive(u8 const* data, u64 size) : m_data(data), m_size(size) { }

    enum class State {
        Reading,
        Done,
        Failed
    };

    Result<bool> decode_next(CpioEntry& entry);

    u8 const* m_data;
    u64 m_size;
    u64 m_offset { 0 };
    State m_state { State::Reading };
};
