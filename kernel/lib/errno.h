// Linux errno values (asm-generic/errno-base.h and errno.h numbers). Named in words rather
// than E-macros so the header can coexist with <errno.h> in hosted unit tests.
#pragma once

enum class Errno : int {
    NotPermitted = 1, // EPERM
    NoEntry = 2, // ENOENT
    NoProcess = 3, // ESRCH
    Interrupted = 4, // EINTR
    IoError = 5, // EIO
    NoDeviceOrAddress = 6, // ENXIO
    ArgListTooBig = 7, // E2BIG
    NoExec = 8, // ENOEXEC
    BadFd = 9, // EBADF
    NoChild = 10, // ECHILD
    TryAgain = 11, // EAGAIN
    NoMemory = 12, // ENOMEM
    Access = 13, // EACCES
    BadAddress = 14, // EFAULT
    NotBlockDevice = 15, // ENOTBLK
    Busy = 16, // EBUSY
    Exists = 17, // EEXIST
    CrossDevice = 18, // EXDEV
    NoDevice = 19, // ENODEV
    NotDirectory = 20, // ENOTDIR
    IsDirectory = 21, // EISDIR
    Invalid = 22, // EINVAL
    TooManyFilesSystem = 23, // ENFILE
    TooManyFiles = 24, // EMFILE
    NotTty = 25, // ENOTTY
    TextBusy = 26, // ETXTBSY
    FileTooBig = 27, // EFBIG
    NoSpace = 28, // ENOSPC
    IllegalSeek = 29, // ESPIPE
    ReadOnlyFs = 30, // EROFS
    TooManyLinks = 31, // EMLINK
    BrokenPipe = 32, // EPIPE
    Range = 34, // ERANGE
    Deadlock = 35, // EDEADLK
    NameTooLong = 36, // ENAMETOOLONG
    NoLock = 37, // ENOLCK
    NoSys = 38, // ENOSYS
    NotEmpty = 39, // ENOTEMPTY
    Loop = 40, // ELOOP
    Overflow = 75, // EOVERFLOW
    LibraryBad = 80, // ELIBBAD: an ELF interpreter that is not a usable ELF file
    NotSocket = 88, // ENOTSOCK
    MessageTooLong = 90, // EMSGSIZE
    ProtocolWrongType = 91, // EPROTOTYPE
    NoProtocolOption = 92, // ENOPROTOOPT
    ProtocolNotSupported = 93, // EPROTONOSUPPORT
    SocketTypeNotSupported = 94, // ESOCKTNOSUPPORT
    NotSupported = 95, // EOPNOTSUPP
    AddressFamilyNotSupported = 97, // EAFNOSUPPORT
    AddressInUse = 98, // EADDRINUSE
    ConnectionReset = 104, // ECONNRESET
    IsConnected = 106, // EISCONN
    NotConnected = 107, // ENOTCONN
    TimedOut = 110, // ETIMEDOUT
    ConnectionRefused = 111, // ECONNREFUSED

    // Kernel-internal codes (Linux's, from include/linux/errno.h) that never reach a program:
    // a system call a signal interrupted returns one, and the signal code (proc/signal.cpp)
    // turns it into EINTR or restarts the call, depending on whether a handler runs.
    RestartSys = 512, // ERESTARTSYS: restart if no handler runs or it has SA_RESTART, else EINTR
    RestartNoIntr = 513, // ERESTARTNOINTR: always restart, handler or not (FUTEX_LOCK_PI)
    RestartNoHand = 514, // ERESTARTNOHAND: restart only if no handler runs (pause, poll, sigsuspend)
};

// True for the codes above.
constexpr bool is_restart_code(Errno e)
{
    return e == Errno::RestartSys || e == Errno::RestartNoIntr || e == Errno::RestartNoHand;
}

constexpr long errno_to_syscall_return(Errno e) { return -static_cast<long>(e); }
char const* errno_name(Errno e);
