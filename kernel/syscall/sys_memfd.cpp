// memfd_create: Linux's checks of flags and name, in its order, then an anonymous tmpfs
// file (kernel/fs/memfd.h), which MFD_ALLOW_SEALING lets fcntl's F_ADD_SEALS seal
// (kernel/fs/file_seals.h) and MFD_NOEXEC_SEAL makes unexecutable for good (mode 0666,
// F_SEAL_EXEC). Huge pages (MFD_HUGETLB) are not implemented: refused with EINVAL and a log
// line, never accepted without their meaning.
#include "handlers.h"
#include "kernel/fs/memfd.h"
#include "kernel/lib/log.h"

Result<i64> sys_memfd_create(UserAddress name, unsigned flags)
{
    constexpr unsigned MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
    constexpr unsigned MFD_ALL = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
    constexpr unsigned MFD_HUGE_SIZES = 0x3fu << 26; // log2 of the page size, with MFD_HUGETLB
    if (flags & ~(MFD_ALL | ((flags & MFD_HUGETLB) ? MFD_HUGE_SIZES : 0)))
        return Errno::Invalid;
    if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
        return Errno::Invalid;
    // The name with its NUL must fit in MEMFD_NAME_MAX + 1 bytes.
    char text[MEMFD_NAME_MAX + 1];
    auto copied = copy_string_from_user(user_space(), text, name, sizeof text);
    if (copied.is_error())
        return copied.error() == Errno::NameTooLong ? Errno::Invalid : copied.error();
    if (flags & MFD_HUGETLB) {
        KLOG_ONCE("pid %u: memfd_create(0x%x): huge pages are not implemented: EINVAL", current_process().pid(), flags);
        return Errno::Invalid;
    }
    MemfdSealing sealing = (flags & MFD_NOEXEC_SEAL) ? MemfdSealing::NoExec
        : (flags & MFD_ALLOW_SEALING)                ? MemfdSealing::Allowed
                                                     : MemfdSealing::None;
    RefPtr<OpenFile> file = TRY(memfd_open(text, current_process().credentials, sealing));
    return TRY(current_process().fds().allocate(file, flags & MFD_CLOEXEC));
}
