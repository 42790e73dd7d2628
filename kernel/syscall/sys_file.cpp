// read/write and friends: data moves between a File and user memory (File::read_to_user,
// write_from_user), a piece at a time.
#include "descriptor_pair.h"
#include "handlers.h"
#include "kernel/fs/attributes.h"
#include "kernel/fs/block_devices.h"
#include "kernel/fs/console.h"
#include "kernel/fs/file_seals.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/permission.h"
#include "kernel/fs/pipe.h"
#include "kernel/fs/seek_data.h"
#include "kernel/fs/unix_socket.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/page_index.h"
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

// The most one File call moves for `file`: a piece, or all of it for a socket whose every
// send is one message and every receive takes one (a datagram may be up to 425952 bytes).
usize piece_for(OpenFile& file)
{
    UnixSocket* socket = file.file().unix_socket();
    return socket && socket->type() != SocketType::Stream ? MAX_IO : PIECE;
}

// Reads from `file` at `offset` into user memory; returns bytes read.
Result<i64> read_into_user(OpenFile& file, UserAddress buffer, u64 count, u64 offset)
{
    u64 done = 0;
    count = min<u64>(count, MAX_IO);
    if (file.file().is_terminal())
        TRY(check_terminal_access(current_process(), SIGTTIN)); // a background job: SIGTTIN
    while (done < count) {
        reclaim_if_low(kernel_memory_context());
        usize want = min<u64>(piece_for(file), count - done);
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
    if (file.file().is_terminal() && Console::terminal().stops_background_writers())
        TRY(check_terminal_access(current_process(), SIGTTOU)); // TOSTOP: a background job gets SIGTTOU
    while (done < count) {
        reclaim_if_low(kernel_memory_context());
        usize want = min<u64>(piece_for(file), count - done);
        auto n = file.file().write_from_user(
            { user_space(), buffer + done, want, offset + done, file.is_nonblocking(), file.is_direct() });
        if (n.is_error()) {
            // A pipe without readers: EPIPE, and SIGPIPE for the writer, as Linux does.
            if (n.error() == Errno::BrokenPipe && file.file().signals_broken_pipe())
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

enum class Direction {
    Read,
    Write
};

// readv/writev, checked as Linux checks them: the descriptor and its mode first (EBADF),
// then the whole vector before any I/O (import_iovec): at most UIO_MAXIOV entries, none
// with a negative length as a ssize_t (EINVAL), the array readable (EFAULT); the total is
// cut to MAX_RW_COUNT. Then one piece after the other, stopping at the first short one.
Result<i64> vector_io(int fd, UserAddress iov, int count, Direction direction)
{
    constexpr u32 UIO_MAXIOV = 1024;
    auto file = TRY(file_for(fd));
    if (!(direction == Direction::Read ? file->can_read() : file->can_write()))
        return Errno::BadFd;
    if (static_cast<u32>(count) > UIO_MAXIOV)
        return Errno::Invalid;
    // A socket gathers (or scatters) the whole vector in one send: one datagram, one message.
    if (file->file().unix_socket())
        return socket_vector_io(*file, iov, count, direction == Direction::Read);
    for (int i = 0; i < count; ++i) {
        IoVec vec = TRY(read_user<IoVec>(iov + i * sizeof(IoVec)));
        if (static_cast<i64>(vec.length) < 0)
            return Errno::Invalid;
    }
    i64 total = 0;
    for (int i = 0; i < count && total < MAX_IO; ++i) {
        IoVec vec = TRY(read_user<IoVec>(iov + i * sizeof(IoVec)));
        u64 length = min<u64>(vec.length, static_cast<u64>(MAX_IO - total));
        if (length == 0)
            continue;
        auto n = direction == Direction::Read ? read_at_offset(fd, vec.base, length) : write_at_offset(fd, vec.base, length);
        if (n.is_error())
            return total ? Result<i64>(total) : Result<i64>(n.error());
        total += n.value();
        if (static_cast<u64>(n.value()) < length)
            break;
    }
    return total;
}

}

Result<i64> sys_read(int fd, UserAddress buffer, u64 count) { return read_at_offset(fd, buffer, count); }
Result<i64> sys_write(int fd, UserAddress buffer, u64 count) { return write_at_offset(fd, buffer, count); }
Result<i64> sys_readv(int fd, UserAddress iov, int count) { return vector_io(fd, iov, count, Direction::Read); }
Result<i64> sys_writev(int fd, UserAddress iov, int count) { return vector_io(fd, iov, count, Direction::Write); }

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
    // On Linux a file opened O_APPEND appends whatever offset pwrite is given (a
    // documented bug kept for compatibility); the file position does not move.
    if (file->flags() & O_APPEND)
        offset = static_cast<i64>(file->file().size());
    return write_from_user(*file, buffer, count, offset);
}

Result<i64> sys_openat(int dirfd, UserAddress path, int flags, u32 mode)
{
    if (flags & O_PATH)
        flags &= O_PATH_FLAGS;
    PATH_BUFFER(normalized);
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX));
    Process& process = current_process();
    // The description keeps the path with its links followed, as Linux's does: what
    // /proc/self/fd shows, fchdir sets and a dirfd's ".." goes up from.
    PATH_BUFFER(resolved);
    RefPtr<File> file = TRY(vfs_open(normalized, flags, mode & ~process.umask() & 07777, process.credentials, resolved));
    // The status flags F_GETFL shows: what open() does not consume, and O_LARGEFILE, which
    // Linux sets on every file opened by a 64-bit program.
    auto* open_file
        = new (std::nothrow) OpenFile(file, (flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)) | O_LARGEFILE);
    if (!open_file)
        return Errno::NoMemory;
    RefPtr<OpenFile> description = adopt_ref(open_file);
    usize length = strlen(resolved);
    if (char* copy = new (std::nothrow) char[length + 1]) {
        memcpy(copy, resolved, length + 1);
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
    case 3: // SEEK_DATA
    case 4: { // SEEK_HOLE
        Inode* inode = file->file().inode();
        if (!inode)
            return Errno::Invalid;
        u64 found = TRY(seek_data_or_hole(*inode, file->file().size(), offset, whence == 3 ? SeekFor::Data : SeekFor::Hole));
        file->offset = found;
        return static_cast<i64>(found);
    }
    default:
        return Errno::Invalid;
    }
    i64 position = base + offset;
    if (position < 0)
        return Errno::Invalid;
    file->offset = static_cast<u64>(position);
    return position;
}

namespace {

struct GenericIoctl {
    bool handled;
    Result<i64> result;
};

// The requests every kind of file answers (Linux's do_vfs_ioctl): close-on-exec, O_NONBLOCK,
// O_ASYNC (FIOASYNC: as fcntl's F_SETFL refuses it, below), and FIONREAD — the bytes a read
// would find now — for pipes and regular files.
GenericIoctl generic_ioctl(int fd, OpenFile& file, u64 request, UserAddress argument)
{
    constexpr u64 FIONREAD = 0x541B, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIOASYNC = 0x5452;
    switch (request) {
    case FIOCLEX:
    case FIONCLEX:
        current_process().fds().set_close_on_exec(fd, request == FIOCLEX);
        return { true, 0 };
    case FIONBIO: {
        auto on = read_user<i32>(argument);
        if (on.is_error())
            return { true, on.error() };
        file.set_flags(on.value() ? file.flags() | O_NONBLOCK : file.flags() & ~O_NONBLOCK);
        return { true, 0 };
    }
    case FIOASYNC: {
        auto on = read_user<i32>(argument);
        if (on.is_error())
            return { true, on.error() };
        if (!on.value())
            return { true, 0 }; // O_ASYNC is never set here
        // Linux: ENOTTY for a file that has no SIGIO to send; a pipe or terminal would send it.
        if (!file.file().pipe() && !file.file().is_terminal())
            return { true, Errno::NotTty };
        KLOG_ONCE("pid %u: ioctl FIOASYNC is not supported (no signal-driven I/O): EINVAL", current_process().pid());
        return { true, Errno::Invalid };
    }
    case FIONREAD: {
        i32 available;
        if (Pipe* pipe = file.file().pipe())
            available = static_cast<i32>(pipe->bytes_available());
        else if (Inode* inode = file.file().inode(); inode && inode->is_regular())
            available
                = file.offset < file.file().size() ? static_cast<i32>(min<u64>(file.file().size() - file.offset, 0x7fffffff)) : 0;
        else
            return { false, 0 }; // a terminal's (TIOCINQ) or nobody's
        auto written = write_user(argument, available);
        return { true, written.is_error() ? Result<i64>(written.error()) : Result<i64>(0) };
    }
    default:
        return { false, 0 };
    }
}

}

Result<i64> sys_ioctl(int fd, u64 request, UserAddress argument)
{
    // Linux's ioctl takes an unsigned int: what the upper half holds (a C library passing
    // the request as an int sign-extends 0x80081272) is not part of it.
    request = static_cast<u32>(request);
    auto file = TRY(file_for(fd));
    if (auto generic = generic_ioctl(fd, *file, request, argument); generic.handled)
        return static_cast<Result<i64>&&>(generic.result);
    if (BlockDeviceFile* device = file->file().block_device_file())
        return block_device_ioctl(*device, *file, request, argument);
    if (file->file().loop_control())
        return loop_control_ioctl(request, argument);
    if (!file->file().is_terminal())
        return Errno::NotTty;
    return terminal_ioctl(Console::terminal(), request, argument);
}

Result<i64> sys_pipe2(UserAddress fds, int flags)
{
    // O_DIRECT makes a "packet mode" pipe (pipe(7)).
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return Errno::Invalid;
    PipeEnds ends = TRY(create_pipe(PipeUser::of(caller_credentials())));
    int status = flags & (O_NONBLOCK | O_DIRECT);
    auto* reader = new (std::nothrow) OpenFile(ends.read_end, O_RDONLY | status);
    auto* writer = new (std::nothrow) OpenFile(ends.write_end, O_WRONLY | status);
    if (!reader || !writer) {
        delete reader;
        delete writer;
        return Errno::NoMemory;
    }
    return install_descriptor_pair(adopt_ref(reader), adopt_ref(writer), flags & O_CLOEXEC, fds);
}

Result<i64> sys_pipe(UserAddress fds) { return sys_pipe2(fds, 0); }

namespace {

constexpr int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031,
              F_GETPIPE_SZ = 1032;
constexpr int FD_CLOEXEC = 1;

// Commands Linux has that Pagoda does not: EINVAL, as Linux answers a command it does not
// know, and one log line per command naming it.
Result<i64> refuse_fcntl(int command)
{
    struct Known {
        int command;
        char const* name;
    };
    static constexpr Known known[] = { { 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" }, { 11, "F_GETSIG" },
        { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" }, { 1026, "F_NOTIFY" } };
    static bool reported[sizeof known / sizeof known[0]];
    for (usize i = 0; i < sizeof known / sizeof known[0]; ++i)
        if (known[i].command == command && !reported[i]) {
            reported[i] = true;
            klog("pid %u: fcntl %s is not supported: EINVAL", current_process().pid(), known[i].name);
        }
    return Errno::Invalid;
}

// F_SETFL: only these status flags change; the access mode and creation flags stay.
// O_DIRECT is a pipe's packet mode; on other files it would be direct I/O, which Pagoda
// does not do (Linux refuses it too where a file system cannot).
Result<i64> set_status_flags(OpenFile& file, int flags)
{
    constexpr int changeable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT;
    if ((flags & O_DIRECT) && !file.file().pipe()) {
        KLOG_ONCE("pid %u: fcntl F_SETFL O_DIRECT is not supported (no direct I/O): EINVAL", current_process().pid());
        return Errno::Invalid;
    }
    // On a pipe or a terminal Linux turns O_ASYNC into SIGIO for the owner (F_SETOWN); with no
    // signal-driven I/O here, dropping it there would be a success that never signals. Other
    // files have no such signal on Linux either, which accepts the flag and drops it.
    if ((flags & O_ASYNC) && (file.file().pipe() || file.file().is_terminal())) {
        KLOG_ONCE("pid %u: fcntl F_SETFL O_ASYNC is not supported (no signal-driven I/O): EINVAL", current_process().pid());
        return Errno::Invalid;
    }
    // Turning O_NOATIME on needs what open() needs for it: the file's owner, or CAP_FOWNER.
    Inode* inode = file.file().inode();
    if ((flags & O_NOATIME) && !(file.flags() & O_NOATIME) && inode && !is_owner_or_privileged(*inode, caller_credentials()))
        return Errno::NotPermitted;
    file.set_flags((file.flags() & ~changeable) | (flags & changeable));
    return 0;
}

}

Result<i64> sys_fcntl(int fd, int command, u64 argument)
{
    constexpr int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
    constexpr int F_SETLEASE = 1024, F_GETLEASE = 1025, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    FdTable& table = current_process().fds();
    auto file = TRY(table.get_even_if_path_only(fd));
    // An O_PATH descriptor answers only the commands about the descriptor itself (Linux's
    // check_fcntl_cmd).
    bool about_the_descriptor
        = command == F_DUPFD || command == F_DUPFD_CLOEXEC || command == F_GETFD || command == F_SETFD || command == F_GETFL;
    if (file->is_path_only() && !about_the_descriptor)
        return Errno::BadFd;
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
    case F_SETFL:
        return set_status_flags(*file, static_cast<int>(argument));
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: {
        Pipe* pipe = file->file().pipe();
        if (!pipe)
            return Errno::BadFd;
        if (command == F_GETPIPE_SZ)
            return static_cast<i64>(pipe->capacity());
        return static_cast<i64>(
            TRY(pipe->resize(static_cast<u32>(argument), PipeUser::of(caller_credentials())))); // an unsigned int, as Linux
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
    case F_ADD_SEALS:
        TRY(add_file_seals(*file, static_cast<u32>(argument))); // Linux takes an unsigned int
        return 0;
    case F_GET_SEALS:
        return TRY(file_seals(*file));
    default:
        return refuse_fcntl(command);
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

// fallocate(2): modes 0 and FALLOC_FL_KEEP_SIZE allocate, KEEP_SIZE|PUNCH_HOLE frees; the
// other modes (COLLAPSE, ZERO, INSERT, UNSHARE ranges) are what Linux's tmpfs refuses too.
Result<i64> sys_fallocate(int fd, int mode, i64 offset, i64 length)
{
    constexpr int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    if (offset < 0 || length <= 0)
        return Errno::Invalid;
    auto file = TRY(file_for(fd));
    if (!file->can_write())
        return Errno::BadFd;
    Inode* inode = file->file().inode();
    if (!inode) // a pipe: ESPIPE; the console and other devices: ENODEV
        return file->file().pipe() ? Errno::IllegalSeek : Errno::NoDevice;
    if (inode->is_directory())
        return Errno::IsDirectory;
    if (!inode->is_regular())
        return (inode->mode() & MODE_TYPE_MASK) == MODE_FIFO ? Errno::IllegalSeek : Errno::NoDevice;
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
        return Errno::NotSupported;
    // Past i64 (Linux's test), or past what a page cache holds (4 TiB, page_index.h).
    if (offset > INT64_MAX - length || static_cast<u64>(offset + length) > PageIndex::MAX_PAGES * PAGE_SIZE)
        return Errno::FileTooBig;
    if (mode & FALLOC_FL_PUNCH_HOLE) {
        if (!(mode & FALLOC_FL_KEEP_SIZE))
            return Errno::NotSupported;
        if (file->flags() & O_APPEND)
            return Errno::NotPermitted;
        TRY(inode->punch_hole(static_cast<u64>(offset), static_cast<u64>(length)));
        return 0;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE))
        TRY(check_file_size_limit(current_process(), file->file().size(), static_cast<u64>(offset + length)));
    TRY(clear_set_id_before_write(*inode, caller_credentials()));
    TRY(inode->allocate(static_cast<u64>(offset), static_cast<u64>(length), mode & FALLOC_FL_KEEP_SIZE));
    return 0;
}

// posix_fadvise: checked as Linux checks it (EBADF, ESPIPE for a pipe, EINVAL for a
// negative length or unknown advice), then taken as the hint it is: Pagoda reads and keeps
// pages the same way whatever a program expects to do (no read-ahead window to widen, and
// clean pages go only when memory runs short), which POSIX allows.
Result<i64> sys_fadvise64(int fd, i64, i64 length, int advice)
{
    constexpr int POSIX_FADV_NOREUSE = 5;
    auto file = TRY(file_for(fd));
    if (file->file().pipe() || (file->file().inode() && (file->file().inode()->mode() & MODE_TYPE_MASK) == MODE_FIFO))
        return Errno::IllegalSeek;
    if (length < 0 || advice < 0 || advice > POSIX_FADV_NOREUSE)
        return Errno::Invalid;
    return 0;
}

// Only files of a file system can be synced: pipes, the console and devices have nothing
// to write back and refuse with EINVAL, as on Linux (no fsync operation).
Result<i64> sys_fsync(int fd)
{
    auto file = TRY(file_for(fd));
    Inode* inode = file->file().inode();
    if (BlockDeviceFile* device = file->file().block_device_file()) {
        TRY(device->device().flush()); // no cache in front of a device: its own flush
        return 0;
    }
    if (!inode)
        return Errno::Invalid;
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
