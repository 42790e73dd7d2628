// read/write and friends: data moves between a File and user memory (File::read_to_user,
// write_from_user), a piece at a time.
#include "handlers.h"
#include "kernel/fs/attributes.h"
#include "kernel/fs/console.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/pipe.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/reclaim.h"
#include "kernel/proc/resource_limits.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/terminal.h"

namespace {

constexpr i64 MAX_IO = 0x7ffff000; // Linux's MAX_RW_COUNT

struct IoVec {
    u64 base;
    u64 length;
};

Result<RefPtr<OpenFile>> file_for(int fd) { return current_process().fds().get(fd); }

// Between pieces of a large read or write the kernel is at a safe point for reclaiming
// memory (mm/reclaim.h); a piece is the most one File call moves.
constexpr usize PIECE = 256 * KiB;

// Reads from `file` at `offset` into user memory; returns bytes read.
Result<i64> read_into_user(OpenFile& file, UserAddress buffer, u64 count, u64 offset)
{
    u64 done = 0;
    count = min<u64>(count, MAX_IO);
    if (file.file().is_terminal())
        TRY(check_terminal_read(current_process())); // a background job: SIGTTIN
    while (done < count) {
        reclaim_if_low(kernel_memory_context());
        usize want = min<u64>(PIECE, count - done);
        auto n = file.file().read_to_user({ user_space(), buffer + done, want, offset + done, file.is_nonblocking() });
        if (n.is_error())
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(n.error());
        done += n.value();
        if (n.value() < want || !file.file().is_seekable())
            break; // end of file, or a stream that may not have more without blocking
    }
    return static_cast<i64>(done);
}

Result<i64> write_from_user(OpenFile& file, UserAddress buffer, u64 count, u64 offset)
{
    u64 done = 0;
    count = min<u64>(count, MAX_IO);
    if (Inode* inode = file.file().inode(); inode && inode->is_regular())
        count = TRY(fit_file_size_limit(current_process(), offset, count));
    // As Linux's generic_write_checks then file_remove_privs: a write refused for its size
    // leaves the set-id bits alone.
    if (Inode* inode = file.file().inode(); inode && count > 0)
        TRY(clear_set_id_before_write(*inode, caller_credentials()));
    while (done < count) {
        reclaim_if_low(kernel_memory_context());
        usize want = min<u64>(PIECE, count - done);
        auto n = file.file().write_from_user({ user_space(), buffer + done, want, offset + done, file.is_nonblocking() });
        if (n.is_error()) {
            // A pipe without readers: EPIPE, and SIGPIPE for the writer, as Linux does.
            if (n.error() == Errno::BrokenPipe)
                MUST(send_signal(current_process(), SIGPIPE));
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(n.error());
        }
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

Result<i64> sys_pwrite64(int fd, UserAddress buffer, u64 count, i64 offset)
{
    auto file = TRY(file_for(fd));
    if (!file->can_write())
        return Errno::BadFd;
    if (!file->file().is_seekable())
        return Errno::IllegalSeek;
    if (offset < 0)
        return Errno::Invalid;
    return write_from_user(*file, buffer, count, offset);
}

Result<i64> sys_openat(int dirfd, UserAddress path, int flags, u32 mode)
{
    PATH_BUFFER(normalized);
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX));
    Process& process = current_process();
    RefPtr<File> file = TRY(vfs_open(normalized, flags, mode & ~process.umask() & 07777, process.credentials));
    auto* open_file = new (std::nothrow) OpenFile(file, flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
    if (!open_file)
        return Errno::NoMemory;
    RefPtr<OpenFile> description = adopt_ref(open_file);
    usize length = strlen(normalized);
    if (char* copy = new (std::nothrow) char[length + 1]) {
        memcpy(copy, normalized, length + 1);
        description->set_path(copy);
    }
    return TRY(process.fds().allocate(description, flags & O_CLOEXEC));
}

Result<i64> sys_open(UserAddress path, int flags, u32 mode) { return sys_openat(-100, path, flags, mode); }

Result<i64> sys_creat(UserAddress path, u32 mode) { return sys_openat(-100, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

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
    auto file = TRY(file_for(fd));
    if (!file->file().is_terminal())
        return Errno::NotTty;
    return terminal_ioctl(Console::terminal(), request, argument);
}

Result<i64> sys_pipe2(UserAddress fds, int flags)
{
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return Errno::Invalid;
    PipeEnds ends = TRY(create_pipe());
    FdTable& table = current_process().fds();
    auto* reader = new (std::nothrow) OpenFile(ends.read_end, O_RDONLY);
    auto* writer = new (std::nothrow) OpenFile(ends.write_end, O_WRONLY);
    if (!reader || !writer) {
        delete reader;
        delete writer;
        return Errno::NoMemory;
    }
    RefPtr<OpenFile> read_file = adopt_ref(reader), write_file = adopt_ref(writer);
    int read_fd = TRY(table.allocate(read_file, flags & O_CLOEXEC));
    auto write_fd = table.allocate(write_file, flags & O_CLOEXEC);
    if (write_fd.is_error()) {
        MUST(table.close(read_fd));
        return write_fd.error();
    }
    i32 pair[2] = { read_fd, write_fd.value() };
    if (auto copied = copy_to_user(user_space(), fds, pair, sizeof pair); copied.is_error()) {
        MUST(table.close(read_fd));
        MUST(table.close(write_fd.value()));
        return copied.error();
    }
    return 0;
}

Result<i64> sys_pipe(UserAddress fds) { return sys_pipe2(fds, 0); }

Result<i64> sys_dup(int fd)
{
    FdTable& table = current_process().fds();
    auto file = TRY(table.get(fd));
    return TRY(table.allocate(file, false));
}

Result<i64> sys_dup3(int old_fd, int new_fd, int flags)
{
    if (flags & ~O_CLOEXEC || old_fd == new_fd)
        return Errno::Invalid;
    FdTable& table = current_process().fds();
    auto file = TRY(table.get(old_fd));
    if (new_fd < 0 || new_fd >= table.limit())
        return Errno::BadFd;
    TRY(table.install(new_fd, file, flags & O_CLOEXEC));
    return new_fd;
}

Result<i64> sys_dup2(int old_fd, int new_fd)
{
    if (old_fd == new_fd) {
        TRY(current_process().fds().get(old_fd));
        return new_fd;
    }
    return sys_dup3(old_fd, new_fd, 0);
}

Result<i64> sys_fcntl(int fd, int command, u64 argument)
{
    constexpr int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
    constexpr int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
    constexpr int F_SETLEASE = 1024, F_GETLEASE = 1025;
    constexpr int FD_CLOEXEC = 1;
    FdTable& table = current_process().fds();
    auto file = TRY(table.get(fd));
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (argument >= static_cast<u64>(table.limit()))
            return Errno::Invalid;
        return TRY(table.allocate(file, command == F_DUPFD_CLOEXEC, static_cast<int>(argument)));
    case F_GETFD:
        return table.close_on_exec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        table.set_close_on_exec(fd, argument & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return file->flags();
    case F_SETFL: {
        // Only O_APPEND and O_NONBLOCK may change; the access mode stays.
        constexpr int changeable = O_APPEND | O_NONBLOCK;
        file->set_flags((file->flags() & ~changeable) | (static_cast<int>(argument) & changeable));
        return 0;
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_SETLEASE:
    case F_GETLEASE:
        return fcntl_file_lock(fd, *file, command, argument);
    default:
        return Errno::Invalid;
    }
}

Result<i64> sys_ftruncate(int fd, i64 length)
{
    if (length < 0)
        return Errno::Invalid;
    auto file = TRY(file_for(fd));
    Inode* inode = file->file().inode();
    if (!inode || !file->can_write())
        return inode ? Errno::Invalid : Errno::Invalid;
    TRY(check_file_size_limit(current_process(), file->file().size(), static_cast<u64>(length)));
    TRY(clear_set_id_before_write(*inode, caller_credentials()));
    TRY(inode->truncate(static_cast<u64>(length)));
    return 0;
}

Result<i64> sys_fsync(int fd)
{
    auto file = TRY(file_for(fd));
    if (Inode* inode = file->file().inode())
        TRY(inode->sync());
    return 0;
}

// Without separate metadata journaling, fdatasync and fsync do the same work.
Result<i64> sys_fdatasync(int fd) { return sys_fsync(fd); }

Result<i64> sys_sync()
{
    (void)vfs_sync_all(); // sync(2) cannot fail; errors stay on the pages, which stay dirty
    return 0;
}

Result<i64> sys_getdents64(int fd, UserAddress buffer, u64 size)
{
    auto file = TRY(file_for(fd));
    Inode* inode = file->file().inode();
    if (!inode)
        return Errno::NotDirectory;
    if (!inode->is_directory())
        return Errno::NotDirectory;
    // struct linux_dirent64: ino, off, reclen, type, name[] NUL-terminated, 8-byte aligned.
    u8 chunk[4096];
    usize capacity = min<u64>(size, sizeof chunk);
    usize used = 0;
    bool too_small = false;
    u64 cookie = file->offset;
    TRY(inode->read_directory(cookie, [&](Name name, u64 number, u8 type) {
        usize record = (19 + name.length + 1 + 7) & ~usize(7);
        if (used + record > capacity) {
            too_small = used == 0;
            return false;
        }
        u8* p = chunk + used;
        memset(p, 0, record);
        memcpy(p, &number, 8);
        u64 next = cookie + 1;
        memcpy(p + 8, &next, 8);
        u16 length16 = static_cast<u16>(record);
        memcpy(p + 16, &length16, 2);
        p[18] = type;
        memcpy(p + 19, name.characters, name.length);
        used += record;
        return true;
    }));
    if (too_small)
        return Errno::Invalid;
    TRY(copy_to_user(user_space(), buffer, chunk, used));
    file->offset = cookie;
    inode->update_times(TimeUpdate::Access); // reading a directory, as Linux's iterate_dir
    return static_cast<i64>(used);
}
