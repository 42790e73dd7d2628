// read/write and friends: data moves between a File and user memory through a bounce
// buffer on the kernel stack, one chunk at a time.
#include "handlers.h"
#include "kernel/fs/vfs.h"

namespace {

constexpr usize CHUNK = 1024;
constexpr i64 MAX_IO = 0x7ffff000; // Linux's MAX_RW_COUNT

struct IoVec {
    u64 base;
    u64 length;
};

Result<RefPtr<OpenFile>> file_for(int fd) { return current_process().fds().get(fd); }

// Reads from `file` at `offset` into user memory; returns bytes read.
Result<i64> read_into_user(OpenFile& file, UserAddress buffer, u64 count, u64 offset)
{
    u8 chunk[CHUNK];
    u64 done = 0;
    count = min<u64>(count, MAX_IO);
    while (done < count) {
        usize want = min<u64>(CHUNK, count - done);
        auto n = file.file().read(chunk, want, offset + done);
        if (n.is_error())
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(n.error());
        if (n.value() == 0)
            break;
        TRY(user_space().copy_to_user(buffer + done, chunk, n.value()));
        done += n.value();
        if (n.value() < want)
            break; // a short read (console line, end of file): return what we have
    }
    return static_cast<i64>(done);
}

Result<i64> write_from_user(OpenFile& file, UserAddress buffer, u64 count, u64 offset)
{
    u8 chunk[CHUNK];
    u64 done = 0;
    count = min<u64>(count, MAX_IO);
    while (done < count) {
        usize want = min<u64>(CHUNK, count - done);
        auto copied = user_space().copy_from_user(chunk, buffer + done, want);
        if (copied.is_error())
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(copied.error());
        auto n = file.file().write(chunk, want, offset + done);
        if (n.is_error())
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(n.error());
        done += n.value();
        if (n.value() < want)
            break;
    }
    return static_cast<i64>(done);
}

Result<i64> read_at_offset(int fd, UserAddress buffer, u64 count)
{
    auto file = TRY(file_for(fd));
    if (!file->can_read())
        return Errno::BadFd;
    i64 n = TRY(read_into_user(*file, buffer, count, file->offset));
    file->offset += n;
    return n;
}

Result<i64> write_at_offset(int fd, UserAddress buffer, u64 count)
{
    auto file = TRY(file_for(fd));
    if (!file->can_write())
        return Errno::BadFd;
    if (file->flags() & O_APPEND)
        file->offset = file->file().size();
    i64 n = TRY(write_from_user(*file, buffer, count, file->offset));
    file->offset += n;
    return n;
}

Result<i64> vector_io(int fd, UserAddress iov, int count, Result<i64> (*one)(int, UserAddress, u64))
{
    if (count < 0 || count > 1024)
        return Errno::Invalid;
    i64 total = 0;
    for (int i = 0; i < count; ++i) {
        IoVec vec = TRY(read_user<IoVec>(iov + i * sizeof(IoVec)));
        if (vec.length == 0)
            continue;
        auto n = one(fd, vec.base, vec.length);
        if (n.is_error())
            return total ? Result<i64>(total) : Result<i64>(n.error());
        total += n.value();
        if (static_cast<u64>(n.value()) < vec.length)
            break;
    }
    return total;
}

}

Result<i64> sys_read(int fd, UserAddress buffer, u64 count) { return read_at_offset(fd, buffer, count); }
Result<i64> sys_write(int fd, UserAddress buffer, u64 count) { return write_at_offset(fd, buffer, count); }
Result<i64> sys_readv(int fd, UserAddress iov, int count) { return vector_io(fd, iov, count, read_at_offset); }
Result<i64> sys_writev(int fd, UserAddress iov, int count) { return vector_io(fd, iov, count, write_at_offset); }

Result<i64> sys_pread64(int fd, UserAddress buffer, u64 count, i64 offset)
{
    auto file = TRY(file_for(fd));
    if (!file->can_read())
        return Errno::BadFd;
    if (!file->file().is_seekable())
        return Errno::IllegalSeek;
    if (offset < 0)
        return Errno::Invalid;
    return read_into_user(*file, buffer, count, offset);
}

Result<i64> sys_openat(int dirfd, UserAddress path, int flags, u32)
{
    constexpr int AT_FDCWD = -100;
    char normalized[PATH_MAX];
    TRY(read_user_path(path, normalized, sizeof normalized));
    (void)dirfd; // relative paths resolve against the cwd; directory fds arrive with ext2
    (void)AT_FDCWD;
    RefPtr<File> file = TRY(vfs_open(normalized, flags));
    auto* open_file = new (std::nothrow) OpenFile(file, flags & ~O_CLOEXEC);
    if (!open_file)
        return Errno::NoMemory;
    return TRY(current_process().fds().allocate(adopt_ref(open_file), flags & O_CLOEXEC));
}

Result<i64> sys_open(UserAddress path, int flags, u32 mode) { return sys_openat(-100, path, flags, mode); }

Result<i64> sys_close(int fd)
{
    TRY(current_process().fds().close(fd));
    return 0;
}

Result<i64> sys_lseek(int fd, i64 offset, int whence)
{
    auto file = TRY(file_for(fd));
    if (!file->file().is_seekable())
        return Errno::IllegalSeek;
    i64 base;
    switch (whence) {
    case 0: // SEEK_SET
        base = 0;
        break;
    case 1: // SEEK_CUR
        base = static_cast<i64>(file->offset);
        break;
    case 2: // SEEK_END
        base = static_cast<i64>(file->file().size());
        break;
    default:
        return Errno::Invalid;
    }
    i64 position = base + offset;
    if (position < 0)
        return Errno::Invalid;
    file->offset = static_cast<u64>(position);
    return position;
}

Result<i64> sys_ioctl(int fd, u64 request, UserAddress argument)
{
    constexpr u64 TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGWINSZ = 0x5413,
                  TIOCGPGRP = 0x540F;
    auto file = TRY(file_for(fd));
    if (!file->file().is_terminal())
        return Errno::NotTty;
    switch (request) {
    case TCGETS: {
        // struct termios (kernel layout, 36 bytes): a serial line in canonical mode with echo.
        struct [[gnu::packed]] {
            u32 iflag, oflag, cflag, lflag;
            u8 line;
            u8 cc[19];
        } termios {};
        termios.iflag = 0x500;  // ICRNL | IXON
        termios.oflag = 0x5;    // OPOST | ONLCR
        termios.cflag = 0xbf;   // B38400 | CS8 | CREAD
        termios.lflag = 0x8a3b; // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
        TRY(write_user(argument, termios));
        return 0;
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return 0; // the serial console has no modes to change; accepted as Linux would
    case TIOCGWINSZ: {
        struct {
            u16 rows, columns, x_pixels, y_pixels;
        } size { 24, 80, 0, 0 };
        TRY(write_user(argument, size));
        return 0;
    }
    case TIOCGPGRP: {
        TRY(write_user<i32>(argument, static_cast<i32>(current_process().pid())));
        return 0;
    }
    default:
        return Errno::NotTty;
    }
}
