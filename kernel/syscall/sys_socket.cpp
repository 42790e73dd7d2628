// Sockets: Pagoda has no networking, not even AF_UNIX. socket() exists so that a program
// learns that the way Linux tells it — no address family is supported, EAFNOSUPPORT —
// rather than by ENOSYS: musl, for one, asks nscd over a Unix socket when a user or group
// is not in /etc/passwd or /etc/group, and takes EAFNOSUPPORT (not ENOSYS) as "no nscd".
#include "handlers.h"
#include "kernel/lib/log.h"

Result<i64> sys_socket(int domain, int, int)
{
    KLOG_ONCE("pid %u: socket(domain %d): no address family is supported (no networking): EAFNOSUPPORT", current_process().pid(),
        domain);
    return Errno::AddressFamilyNotSupported;
}
