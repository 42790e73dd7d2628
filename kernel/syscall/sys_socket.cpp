// Sockets: AF_UNIX only (kernel/fs/unix_socket.h). socket() and socketpair() make them;
// shutdown, getsockopt, getsockname and getpeername ask and change them. Data moves through
// sys_socket_io.cpp and through read/write. Every other family is EAFNOSUPPORT, as Linux
// answers a family it was built without: Pagoda has no networking. musl, for one, asks
// nscd over a Unix socket when a user or group is not in /etc/passwd or /etc/group, and
// takes connect's ENOENT (no such socket: Pagoda has no named ones) as "no nscd".
#include "handlers.h"
#include "kernel/fs/fd_table.h"
#include "kernel/fs/unix_socket.h"
#include "kernel/lib/log.h"

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
Result<int> install_socket(RefPtr<UnixSocket> socket, int type)
{
    auto* open_file = new (std::nothrow) OpenFile(RefPtr<File>(socket.ptr()), O_RDWR | (type & SOCK_NONBLOCK));
    if (!open_file)
        return Errno::NoMemory;
    RefPtr<OpenFile> description = adopt_ref(open_file);
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

// getsockname/getpeername of a socket without a name: the family alone (sizeof(sa_family_t)).
Result<i64> put_unnamed_address(UserAddress address, UserAddress length_address)
{
    i32 length = TRY(read_user<i32>(length_address));
    if (length < 0)
        return Errno::Invalid;
    u16 family = AF_UNIX;
    TRY(copy_to_user(user_space(), address, &family, min<usize>(static_cast<usize>(length), sizeof family)));
    TRY(write_user<i32>(length_address, sizeof family));
    return 0;
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
    FdTable& table = current_process().fds();
    int first_fd = TRY(install_socket(first, type));
    auto second_fd = install_socket(second, type);
    if (second_fd.is_error()) {
        MUST(table.close(first_fd));
        return second_fd.error();
    }
    i32 pair[2] = { first_fd, second_fd.value() };
    if (auto copied = copy_to_user(user_space(), pair_address, pair, sizeof pair); copied.is_error()) {
        MUST(table.close(first_fd));
        MUST(table.close(second_fd.value()));
        return copied.error();
    }
    return 0;
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
    TRY(socket_for(*file));
    return put_unnamed_address(address, length_address);
}

Result<i64> sys_getpeername(int fd, UserAddress address, UserAddress length_address)
{
    auto file = TRY(current_process().fds().get(fd));
    UnixSocket* socket = TRY(socket_for(*file));
    if (!socket->has_peer_name())
        return Errno::NotConnected;
    return put_unnamed_address(address, length_address);
}
