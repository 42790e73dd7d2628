#include "errno.h"

char const* errno_name(Errno e)
{
    switch (e) {
#define NAME(value, text)                                                                                                        \
    case Errno::value:                                                                                                           \
        return text;
        NAME(NotPermitted, "EPERM")
        NAME(NoEntry, "ENOENT")
        NAME(NoProcess, "ESRCH")
        NAME(Interrupted, "EINTR")
        NAME(RestartSys, "ERESTARTSYS")
        NAME(RestartNoIntr, "ERESTARTNOINTR")
        NAME(RestartNoHand, "ERESTARTNOHAND")
        NAME(IoError, "EIO")
        NAME(NoDeviceOrAddress, "ENXIO")
        NAME(ArgListTooBig, "E2BIG")
        NAME(NoExec, "ENOEXEC")
        NAME(BadFd, "EBADF")
        NAME(NoChild, "ECHILD")
        NAME(TryAgain, "EAGAIN")
        NAME(NoMemory, "ENOMEM")
        NAME(Access, "EACCES")
        NAME(BadAddress, "EFAULT")
        NAME(NotBlockDevice, "ENOTBLK")
        NAME(Busy, "EBUSY")
        NAME(Exists, "EEXIST")
        NAME(CrossDevice, "EXDEV")
        NAME(NoDevice, "ENODEV")
        NAME(NotDirectory, "ENOTDIR")
        NAME(IsDirectory, "EISDIR")
        NAME(Invalid, "EINVAL")
        NAME(TooManyFilesSystem, "ENFILE")
        NAME(TooManyFiles, "EMFILE")
        NAME(NotTty, "ENOTTY")
        NAME(TextBusy, "ETXTBSY")
        NAME(FileTooBig, "EFBIG")
        NAME(NoSpace, "ENOSPC")
        NAME(IllegalSeek, "ESPIPE")
        NAME(ReadOnlyFs, "EROFS")
        NAME(TooManyLinks, "EMLINK")
        NAME(BrokenPipe, "EPIPE")
        NAME(Range, "ERANGE")
        NAME(Deadlock, "EDEADLK")
        NAME(NameTooLong, "ENAMETOOLONG")
        NAME(NoLock, "ENOLCK")
        NAME(NoSys, "ENOSYS")
        NAME(NotEmpty, "ENOTEMPTY")
        NAME(Loop, "ELOOP")
        NAME(Overflow, "EOVERFLOW")
        NAME(LibraryBad, "ELIBBAD")
        NAME(NotSupported, "EOPNOTSUPP")
        NAME(AddressFamilyNotSupported, "EAFNOSUPPORT")
        NAME(TimedOut, "ETIMEDOUT")
#undef NAME
    }
    return "E?";
}
