// Sockets: AF_UNIX only (kernel/fs/unix_socket.h). socket() and socketpair() make them;
// bind, listen, connect and accept name and connect them; shutdown, the socket options,
// getsockname and getpeername ask and change them. Data moves through sys_socket_io.cpp and
// through read/write. Every other family is EAFNOSUPPORT, as Linux answers a family it was
// built without: Pagoda has no networking. (musl asks nscd over a Unix socket when a user or
// group is not in /etc/passwd or /etc/group, and takes connect's ENOENT as "no nscd".)
#include "descriptor_pair.h"
#include "handlers.h"
#include "kernel/fs/fd_table.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/permission.h"
#include "kernel/fs/unix_socket.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"

namespace {

constexpr int AF_UNIX = 1;
constexpr int NPROTO = 46; // Linux's AF_MAX: families at or above it are EAFNOSUPPORT
constexpr int SOCK_RAW = 3, SOCK_MAX = 11;
constexpr int SOCK_TYPE_MASK = 0xf;
constexpr int SOCK_NONBLOCK = O_NONBLOCK, SOCK_CLOEXEC = O_CLOEXEC;
constexpr int SOL_SOCKET = 1;
constexpr int SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PEERCRED = 17, SO_ACCEPTCONN = 30, SO_PROTOCOL = 38,
              SO_DOMAIN = 39;

// socket(2)'s checks in Linux's order (__sys_socket, __sock_create, unix_create): the type's
// flags, the family's and type's ranges, the family, the protocol, the type.
Result<SocketType> check_socket_arguments(int domain, int type, int protocol)
{
    if ((type & ~SOCK_TYPE_MASK) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return Errno::Invalid;
    int base_type = type & SOCK_TYPE_MASK;
    if (domain < 0 || domain >= NPROTO)
        return Errno::AddressFamilyNotSupported;
    if (base_type >= SOCK_MAX)
        return Errno::Invalid;
    if (domain != AF_UNIX) {
        KLOG_ONCE("pid %u: socket(domain %d): only AF_UNIX is supported (no networking): EAFNOSUPPORT", current_process().pid(),
            domain);
        return Errno::AddressFamilyNotSupported;
    }
    if (protocol != 0 && protocol != AF_UNIX)
        return Errno::ProtocolNotSupported;
    switch (base_type) {
    case static_cast<int>(SocketType::Stream):
    case static_cast<int>(SocketType::Datagram):
    case static_cast<int>(SocketType::SeqPacket):
        return static_cast<SocketType>(base_type);
    case SOCK_RAW:
        return SocketType::Datagram;
    default:
        return Errno::SocketTypeNotSupported;
    }
}

Result<RefPtr<UnixSocket>> new_socket(SocketType type)
{
    Process& process = current_process();
    return UnixSocket::create(type, process.pid(), process.credentials.euid, process.credentials.egid);
}

// A descriptor for `socket`: read and write, O_NONBLOCK from SOCK_NONBLOCK.
// The open file of a new socket, its status flags from socket()'s type argument.
Result<RefPtr<OpenFile>> open_socket(RefPtr<UnixSocket> socket, int type)
{
    auto* open_file = new (std::nothrow) OpenFile(RefPtr<File>(socket.ptr()), O_RDWR | (type & SOCK_NONBLOCK));
    if (!open_file)
        return Errno::NoMemory;
    return adopt_ref(open_file);
}

Result<int> install_socket(RefPtr<UnixSocket> socket, int type)
{
    RefPtr<OpenFile> description = TRY(open_socket(socket, type));
    return current_process().fds().allocate(description, type & SOCK_CLOEXEC);
}

// Writes an int-sized option as Linux's sk_getsockopt does: at most the caller's length.
Result<i64> put_option(UserAddress value, UserAddress length_address, void const* option, i32 option_size, i32 length)
{
    if (length > option_size)
        length = option_size;
    TRY(copy_to_user(user_space(), value, option, static_cast<usize>(length)));
    TRY(write_user<i32>(length_address, length));
    return 0;
}

constexpr usize SOCKADDR_UN_SIZE = 2 + SocketName::MAX; // sa_family_t and sun_path

// A struct sockaddr_un for getsockname, getpeername and accept: the family and the name
// (an unnamed socket: the family alone), cut to the caller's length, which then says the
// whole length, as Linux's move_addr_to_user.
Result<i64> put_address(UserAddress address, UserAddress length_address, SocketName const& name)
{
    i32 length = TRY(read_user<i32>(length_address));
    if (length < 0)
        return Errno::Invalid;
    u8 whole[SOCKADDR_UN_SIZE];
    u16 family = AF_UNIX;
    memcpy(whole, &family, sizeof family);
    memcpy(whole + sizeof family, name.bytes, name.length);
    usize size = sizeof family + name.length;
    TRY(copy_to_user(user_space(), address, whole, min<usize>(static_cast<usize>(length), size)));
    TRY(write_user<i32>(length_address, static_cast<i32>(size)));
    return 0;
}

// A struct sockaddr_un from the caller, checked as Linux's unix_validate_addr (EINVAL for a
// length below sa_family_t or above the struct, or another family) and made a SocketName as
// unix_mkname_bsd does: a path ends at its first NUL (kept), an abstract name is every byte.
Result<SocketName> read_socket_name(UserAddress address, u32 length)
{
    if (length < sizeof(u16) || length > SOCKADDR_UN_SIZE)
        return Errno::Invalid;
    u8 whole[SOCKADDR_UN_SIZE] = {};
    TRY(copy_from_user(user_space(), whole, address, length));
    u16 family;
    memcpy(&family, whole, sizeof family);
    if (family != AF_UNIX)
        return Errno::Invalid;
    SocketName name;
    u32 path_length = length - sizeof family;
    memcpy(name.bytes, whole + sizeof family, path_length);
    if (path_length && name.bytes[0] != 0) {
        u32 end = 0;
        while (end < path_length && name.bytes[end])
            ++end;
        if (end == SocketName::MAX)
            return Errno::Invalid; // a 108-byte path has no room for its NUL
        name.bytes[end] = 0;
        path_length = end + 1;
    }
    name.length = path_length;
    return name;
}

// The socket node a path name names, for connect: the walk's errors (ENOENT...), EACCES
// without write permission, ECONNREFUSED for a node that is not a socket (Linux's
// unix_find_bsd).
Result<RefPtr<Inode>> socket_node(SocketName const& name)
{
    Process& process = current_process();
    PATH_BUFFER(normalized);
    TRY(normalize_path(process.cwd(), reinterpret_cast<char const*>(name.bytes), normalized, PATH_MAX, &process.credentials));
    RefPtr<Inode> node = TRY(vfs_lookup(normalized, FollowLastLink::Yes, process.credentials));
    TRY(inode_permission(*node, process.credentials, MayWrite));
    if ((node->mode() & MODE_TYPE_MASK) != MODE_SOCKET)
        return Errno::ConnectionRefused;
    return node;
}

}

Result<UnixSocket*> socket_for(OpenFile& file)
{
    UnixSocket* socket = file.file().unix_socket();
    if (!socket)
        return Errno::NotSocket;
    return socket;
}

Result<i64> sys_socket(int domain, int type, int protocol)
{
    SocketType socket_type = TRY(check_socket_arguments(domain, type, protocol));
    RefPtr<UnixSocket> socket = TRY(new_socket(socket_type));
    return TRY(install_socket(socket, type));
}

Result<i64> sys_socketpair(int domain, int type, int protocol, UserAddress pair_address)
{
    SocketType socket_type = TRY(check_socket_arguments(domain, type, protocol));
    RefPtr<UnixSocket> first = TRY(new_socket(socket_type));
    RefPtr<UnixSocket> second = TRY(new_socket(socket_type));
    TRY(UnixSocket::connect_pair(*first, *second));
    return install_descriptor_pair(
        TRY(open_socket(first, type)), TRY(open_socket(second, type)), type & SOCK_CLOEXEC, pair_address);
}

Result<i64> sys_shutdown(int fd, int how)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    TRY(socket->shut_down(how));
    return 0;
}

Result<i64> sys_getsockopt(int fd, int level, int name, UserAddress value, UserAddress length_address)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    if (level != SOL_SOCKET)
        return Errno::NotSupported; // AF_UNIX has no options of its own level
    i32 length = TRY(read_user<i32>(length_address));
    if (length < 0)
        return Errno::Invalid;
    i32 number;
    switch (name) {
    case SO_TYPE:
        number = static_cast<i32>(socket->type());
        break;
    case SO_ERROR:
        number = socket->take_error();
        break;
    case SO_SNDBUF:
        number = static_cast<i32>(socket->send_buffer());
        break;
    case SO_RCVBUF:
        number = static_cast<i32>(socket->receive_buffer());
        break;
    case SO_ACCEPTCONN:
        number = 0; // no socket listens: there is no listen()
        break;
    case SO_PROTOCOL:
        number = 0;
        break;
    case SO_DOMAIN:
        number = AF_UNIX;
        break;
    case SO_PEERCRED: {
        // struct ucred { pid, uid, gid }; a socket never paired has pid 0 and ids -1, as
        // Linux reports no credentials.
        u32 credentials[3] = { 0, 0xffffffff, 0xffffffff };
        socket->peer_credentials(credentials[0], credentials[1], credentials[2]);
        return put_option(value, length_address, credentials, sizeof credentials, length);
    }
    default:
        KLOG_ONCE("pid %u: getsockopt(SOL_SOCKET, %d): option not supported: ENOPROTOOPT", current_process().pid(), name);
        return Errno::NoProtocolOption;
    }
    return put_option(value, length_address, &number, sizeof number, length);
}

Result<i64> sys_setsockopt(int fd, int level, int name, UserAddress value, u32 length)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    if (level != SOL_SOCKET)
        return Errno::NotSupported; // AF_UNIX has no options of its own level
    if (length < sizeof(i32))
        return Errno::Invalid;
    u32 number = TRY(read_user<u32>(value));
    switch (name) {
    case SO_SNDBUF:
        socket->set_send_buffer(number);
        return 0;
    case SO_RCVBUF:
        socket->set_receive_buffer(number);
        return 0;
    default:
        KLOG_ONCE("pid %u: setsockopt(SOL_SOCKET, %d): option not supported: ENOPROTOOPT", current_process().pid(), name);
        return Errno::NoProtocolOption;
    }
}

Result<i64> sys_getsockname(int fd, UserAddress address, UserAddress length_address)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    return put_address(address, length_address, socket->name());
}

Result<i64> sys_getpeername(int fd, UserAddress address, UserAddress length_address)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    if (!socket->has_peer_name())
        return Errno::NotConnected;
    return put_address(address, length_address, socket->peer_name());
}

// bind(2): a path name becomes a socket node (S_IFSOCK, 0777 less the umask; EADDRINUSE if
// the name exists, the walk's errors otherwise), an abstract name is kept by the socket
// (EADDRINUSE if taken), an empty one autobinds. A named socket: EINVAL (after EADDRINUSE
// for a path that exists, as Linux makes the node first).
Result<i64> sys_bind(int fd, UserAddress address, u32 length)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    SocketName name = TRY(read_socket_name(address, length));
    if (!name.length || name.is_abstract()) {
        TRY(socket->bind(name, nullptr));
        return 0;
    }
    Process& process = current_process();
    PATH_BUFFER(normalized);
    TRY(normalize_path(process.cwd(), reinterpret_cast<char const*>(name.bytes), normalized, PATH_MAX, &process.credentials));
    auto made = vfs_mknod(normalized, MODE_SOCKET | (0777 & ~process.umask()), DeviceNumber {}, process.credentials);
    if (made.is_error())
        return made.error() == Errno::Exists ? Errno::AddressInUse : made.error();
    // As Linux's unix_bind_bsd: the node first, then a named socket is EINVAL and the node goes.
    if (socket->name().length) {
        (void)vfs_unlink(normalized, process.credentials);
        return Errno::Invalid;
    }
    RefPtr<Inode> node = TRY(vfs_lookup(normalized, FollowLastLink::No, process.credentials));
    TRY(socket->bind(name, node));
    return 0;
}

Result<i64> sys_listen(int fd, int backlog)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    TRY(socket->listen(backlog));
    return 0;
}

// connect(2) of a stream or seqpacket socket to a listener, found by its socket node or its
// abstract name (UnixSocket::connect). A datagram socket connects to no name: one that
// names a bound socket is refused with a log line (Pagoda's datagram sockets talk only in
// pairs); otherwise Linux's errors for a name nobody bound.
Result<i64> sys_connect(int fd, UserAddress address, u32 length)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    SocketName name = TRY(read_socket_name(address, length));
    RefPtr<Inode> node;
    if (name.length && !name.is_abstract())
        node = TRY(socket_node(name));
    if (socket->type() == SocketType::Datagram) {
        KLOG_ONCE("pid %u: connect of a Unix datagram socket to a name is not supported: ECONNREFUSED", current_process().pid());
        return Errno::ConnectionRefused;
    }
    TRY(socket->connect(name, node.ptr(), file->is_nonblocking()));
    return 0;
}

// accept4(2): the oldest connection (EAGAIN if none and nonblocking, EINVAL if not
// listening), a descriptor for it with SOCK_NONBLOCK and SOCK_CLOEXEC as asked, and the
// connector's name (unnamed, most often).
Result<i64> sys_accept4(int fd, UserAddress address, UserAddress length_address, int flags)
{
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return Errno::Invalid;
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    RefPtr<UnixSocket> server = TRY(socket->accept(file->is_nonblocking()));
    SocketName peer = server->peer_name();
    int new_fd = TRY(install_socket(server, flags));
    if (address) {
        if (auto written = put_address(address, length_address, peer); written.is_error()) {
            MUST(current_process().fds().close(new_fd));
            return written.error();
        }
    }
    return new_fd;
}

Result<i64> sys_accept(int fd, UserAddress address, UserAddress length_address)
{
    return sys_accept4(fd, address, length_address, 0);
}
