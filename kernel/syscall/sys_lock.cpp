// File locks from user space: fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW and
// their F_OFD_ forms), its leases (F_SETLEASE, F_GETLEASE) and flock(2). This file decodes
// struct flock into a RecordLock over absolute offsets, names the owner, and calls the lock
// layer (kernel/fs/file_lock.h).
#include "handlers.h"
#include "kernel/fs/file_lock.h"
#include "kernel/lib/log.h"
#include "kernel/proc/signal.h"

namespace {

// struct flock as the x86_64 ABI lays it out (there is no separate flock64 on 64-bit).
struct LinuxFlock {
    i16 type;
    i16 whence;
    i32 padding0;
    i64 start;
    i64 length;
    i32 pid;
    i32 padding1;
};
static_assert(sizeof(LinuxFlock) == 32);

constexpr int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
constexpr int F_SETLEASE = 1024, F_GETLEASE = 1025;
constexpr int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

struct LockCaller {
    LockOwner owner;
    u32 pid;
};

// The owner of the caller's POSIX locks, and the pid F_GETLK shows for them: the one place
// that names them. The owner is the descriptor table, as Linux's is the files_struct, so
// closing any descriptor of the file releases the locks (FdTable). When threads share a
// table the owner is already the thread group's; the pid must then become the tgid.
LockCaller posix_lock_caller()
{
    Process& process = current_process();
    return { process.fds().record_lock_owner(), process.pid() };
}

// struct flock → absolute, inclusive offsets, checked as Linux's flock64_to_posix_lock
// checks them: l_whence, then EOVERFLOW for a start or an end past 2^63 - 1, EINVAL for a
// range reaching below 0, then l_type. l_len 0 runs to the end of the file however far it
// grows; a negative l_len covers the bytes before l_start.
Result<RecordLock> decode(OpenFile& file, LinuxFlock const& flock)
{
    i64 base;
    switch (flock.whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = static_cast<i64>(file.offset);
        break;
    case SEEK_END:
        base = static_cast<i64>(file.file().size());
        break;
    default:
        return Errno::Invalid;
    }
    RecordLock lock;
    if (flock.start > LOCK_OFFSET_MAX - base)
        return Errno::Overflow;
    lock.start = base + flock.start;
    if (lock.start < 0)
        return Errno::Invalid;
    if (flock.length > 0) {
        if (flock.length - 1 > LOCK_OFFSET_MAX - lock.start)
            return Errno::Overflow;
        lock.end = lock.start + flock.length - 1;
    } else if (flock.length < 0) {
        if (lock.start + flock.length < 0)
            return Errno::Invalid;
        lock.end = lock.start - 1;
        lock.start += flock.length;
    } else {
        lock.end = LOCK_OFFSET_MAX;
    }
    if (flock.type < 0 || flock.type > static_cast<int>(LockType::Unlock))
        return Errno::Invalid;
    lock.type = static_cast<LockType>(flock.type);
    return lock;
}

// Whose lock a request is: the caller's (POSIX) or the open file's (OFD, whose l_pid must be 0).
Result<void> assign_owner(RecordLock& request, OpenFile& file, bool open_file_lock, LinuxFlock const& flock)
{
    LockCaller caller = posix_lock_caller();
    request.pid = caller.pid;
    if (!open_file_lock) {
        request.owner = caller.owner;
        return {};
    }
    if (flock.pid != 0)
        return Errno::Invalid;
    request.owner = file.lock_owner();
    request.kind = RecordLockKind::OpenFile;
    return {};
}

Result<i64> get_lock(OpenFile& file, int command, UserAddress argument)
{
    LinuxFlock flock = TRY(read_user<LinuxFlock>(argument));
    // F_OFD_GETLK may also ask with F_UNLCK: "which of my own locks is there?" (Linux 6.7).
    bool open_file_lock = command == F_OFD_GETLK;
    if (!open_file_lock && flock.type != static_cast<int>(LockType::Read) && flock.type != static_cast<int>(LockType::Write))
        return Errno::Invalid;
    RecordLock request = TRY(decode(file, flock));
    TRY(assign_owner(request, file, open_file_lock, flock));
    RecordLock found;
    if (!find_record_lock(file.file(), request, found)) {
        flock.type = static_cast<i16>(LockType::Unlock); // the rest stays as given, as on Linux
    } else {
        flock.type = static_cast<i16>(found.type);
        flock.whence = SEEK_SET;
        flock.start = found.start;
        flock.length = found.end == LOCK_OFFSET_MAX ? 0 : found.end - found.start + 1;
        flock.pid = found.kind == RecordLockKind::OpenFile ? -1 : static_cast<i32>(found.pid);
    }
    TRY(write_user(argument, flock));
    return 0;
}

Result<i64> set_lock(int fd, OpenFile& file, int command, UserAddress argument)
{
    LinuxFlock flock = TRY(read_user<LinuxFlock>(argument));
    RecordLock request = TRY(decode(file, flock));
    // The descriptor must be open for reading to read-lock, for writing to write-lock.
    if ((request.type == LockType::Read && !file.can_read()) || (request.type == LockType::Write && !file.can_write()))
        return Errno::BadFd;
    bool open_file_lock = command == F_OFD_SETLK || command == F_OFD_SETLKW;
    TRY(assign_owner(request, file, open_file_lock, flock));
    bool wait = command == F_SETLKW || command == F_OFD_SETLKW;
    TRY(set_record_lock(file.file(), request, wait ? IfLocked::Wait : IfLocked::Fail));

    // A POSIX lock is released when a descriptor of its file closes. If `fd` was closed or
    // replaced while this call slept (another thread, later), the lock would outlive it:
    // like Linux, give it back and fail with EBADF.
    if (!open_file_lock && request.type != LockType::Unlock) {
        auto now = current_process().fds().get(fd);
        if (now.is_error() || now.value().ptr() != &file) {
            request.type = LockType::Unlock;
            MUST(set_record_lock(file.file(), request, IfLocked::Fail));
            return Errno::BadFd;
        }
    }
    return 0;
}

// A lease is breaking: its holder gets SIGIO, as Linux sends it through the open file's
// owner, which F_SETLEASE sets to the caller. (A signal chosen with F_SETSIG is not used.)
void notify_lease_holder(u32 pid)
{
    if (Process* holder = find_process(pid))
        (void)send_signal(*holder, SIGIO);
}

// F_SETLEASE. Pagoda's processes all run as root, which holds CAP_LEASE, so the check that
// the caller owns the file never refuses.
Result<i64> fcntl_set_lease(OpenFile& file, u64 argument)
{
    if (argument > static_cast<u64>(LockType::Unlock))
        return Errno::Invalid;
    TRY(set_lease(file, static_cast<LockType>(argument), current_process().pid(), notify_lease_holder));
    return 0;
}

}

Result<i64> fcntl_file_lock(int fd, OpenFile& file, int command, UserAddress argument)
{
    switch (command) {
    case F_SETLEASE:
        return fcntl_set_lease(file, argument);
    case F_GETLEASE:
        return static_cast<i64>(lease_type(file));
    case F_GETLK:
    case F_OFD_GETLK:
        return get_lock(file, command, argument);
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return set_lock(fd, file, command, argument);
    default:
        return Errno::Invalid;
    }
}

Result<i64> sys_flock(int fd, u32 operation)
{
    constexpr u32 LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8, LOCK_MAND = 32;
    // Linux ignores LOCK_MAND requests (they never worked) and warns once; so do we.
    if (operation & LOCK_MAND) {
        KLOG_ONCE("pid %u: flock with LOCK_MAND ignored, as Linux ignores it", current_process().pid());
        return 0;
    }
    LockType type;
    switch (operation & ~LOCK_NB) {
    case LOCK_SH:
        type = LockType::Read;
        break;
    case LOCK_EX:
        type = LockType::Write;
        break;
    case LOCK_UN:
        type = LockType::Unlock;
        break;
    default:
        return Errno::Invalid;
    }
    auto file = TRY(current_process().fds().get(fd));
    TRY(set_whole_file_lock(file->file(), file->lock_owner(), type, operation & LOCK_NB ? IfLocked::Fail : IfLocked::Wait));
    return 0;
}
