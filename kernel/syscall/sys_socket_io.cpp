// Sending and receiving on sockets: send/sendto/sendmsg, recv/recvfrom/recvmsg, and readv/
// writev handed on by sys_file.cpp — each a vector of user segments that the socket gathers
// into one send or scatters one receive into (kernel/fs/unix_socket.h).
#include "handlers.h"
#include "kernel/fs/unix_socket.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/signal.h"

namespace {

constexpr int MSG_OOB = 0x1, MSG_PEEK = 0x2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000,
              MSG_CMSG_CLOEXEC = 0x40000000;
constexpr u32 UIO_MAXIOV = 1024;
constexpr i64 MAX_IO = 0x7ffff000; // Linux's MAX_RW_COUNT

struct IoVec {
    u64 base;
    u64 length;
};

// struct msghdr of Linux x86_64.
struct MessageHeader {
    u64 name;
    u32 name_length;
    u32 pad0;
    u64 iov;
    u64 iov_length;
    u64 control;
    u64 control_length;
    i32 flags;
    u32 pad1;
};
static_assert(sizeof(MessageHeader) == 56);

// The iovec array as UserSegments on the heap, checked as Linux's import_iovec checks it:
// no negative length; the total cut to MAX_RW_COUNT.
class Segments {
public:
    ~Segments() { delete[] m_segments; }
    Result<void> load(UserAddress iov, usize count)
    {
        m_segments = new (std::nothrow) UserSegment[count ? count : 1];
        if (!m_segments)
            return Errno::NoMemory;
        i64 total = 0;
        for (usize i = 0; i < count; ++i) {
            IoVec vec = TRY(read_user<IoVec>(iov + i * sizeof(IoVec)));
            if (static_cast<i64>(vec.length) < 0)
                return Errno::Invalid;
            u64 length = min<u64>(vec.length, static_cast<u64>(MAX_IO - total));
            m_segments[i] = { vec.base, static_cast<usize>(length) };
            total += static_cast<i64>(length);
        }
        m_count = count;
        return {};
    }
    void set_one(UserAddress buffer, u64 length) { m_single = { buffer, static_cast<usize>(min<u64>(length, MAX_IO)) }; }
    UserSegment const* data() const { return m_segments ? m_segments : &m_single; }
    usize count() const { return m_segments ? m_count : 1; }

private:
    UserSegment* m_segments { nullptr };
    usize m_count { 0 };
    UserSegment m_single {};
};

Result<UnixSocket*> socket_of_fd(int fd, RefPtr<OpenFile>& file)
{
    file = TRY(current_process().fds().get(fd));
    return socket_for(*file);
}

// Flags Linux's AF_UNIX honours that Pagoda does not: one log line each, EOPNOTSUPP
// (what Linux answers for MSG_OOB on a kernel without AF_UNIX out-of-band data).
Result<void> refuse_unsupported(int flags, bool receiving)
{
    if (flags & MSG_OOB) {
        KLOG_ONCE("pid %u: MSG_OOB: no out-of-band data on Unix sockets: EOPNOTSUPP", current_process().pid());
        return Errno::NotSupported;
    }
    if (receiving && (flags & MSG_PEEK)) {
        KLOG_ONCE("pid %u: recv MSG_PEEK is not supported: EOPNOTSUPP", current_process().pid());
        return Errno::NotSupported;
    }
    return {};
}

Result<i64> send_segments(OpenFile& file, UnixSocket& socket, Segments const& segments, int flags)
{
    TRY(refuse_unsupported(flags, false));
    bool nonblocking = file.is_nonblocking() || (flags & MSG_DONTWAIT);
    auto sent = socket.send({ user_space(), segments.data(), segments.count(), nonblocking });
    if (sent.is_error()) {
        // A stream's EPIPE raises SIGPIPE unless MSG_NOSIGNAL, as Linux's unix_stream_sendmsg.
        if (sent.error() == Errno::BrokenPipe && socket.signals_broken_pipe() && !(flags & MSG_NOSIGNAL))
            MUST(send_signal(current_process(), SIGPIPE));
        return sent.error();
    }
    return static_cast<i64>(sent.value());
}

// Returns bytes received (a packet socket's whole length with MSG_TRUNC); `truncated` says
// a message did not fit. MSG_WAITALL makes a stream wait until every byte came, or end of
// file, an error or a signal came first (then what came is returned).
Result<i64> receive_segments(OpenFile& file, UnixSocket& socket, Segments const& segments, int flags, bool& truncated)
{
    TRY(refuse_unsupported(flags, true));
    bool nonblocking = file.is_nonblocking() || (flags & MSG_DONTWAIT);
    truncated = false;
    if (socket.type() != SocketType::Stream || !(flags & MSG_WAITALL)) {
        ReceiveResult result = TRY(socket.receive({ user_space(), segments.data(), segments.count(), nonblocking }));
        truncated = result.message_length > result.copied;
        return static_cast<i64>((flags & MSG_TRUNC) ? result.message_length : result.copied);
    }
    // The stream and MSG_WAITALL: receive again into what is left of the segments.
    usize wanted = 0;
    for (usize i = 0; i < segments.count(); ++i)
        wanted += segments.data()[i].length;
    usize done = 0;
    while (done < wanted) {
        usize skip = done, first = 0;
        while (skip >= segments.data()[first].length) {
            skip -= segments.data()[first].length;
            ++first;
        }
        UserSegment rest = { segments.data()[first].address + skip, segments.data()[first].length - skip };
        auto result = socket.receive({ user_space(), &rest, 1, nonblocking });
        if (result.is_error())
            return done ? Result<i64>(static_cast<i64>(done)) : Result<i64>(result.error());
        if (result.value().copied == 0)
            break; // end of file
        done += result.value().copied;
    }
    return static_cast<i64>(done);
}

// A destination address on send: a connected stream says EISCONN; seqpacket ignores it, as
// Linux's unix_seqpacket_sendmsg does; a datagram to a name is not supported: ECONNREFUSED,
// Linux's answer for a name nobody bound, with a log line.
Result<void> check_destination(UnixSocket& socket, UserAddress address, u32 length)
{
    if (!address || !length)
        return {};
    switch (socket.type()) {
    case SocketType::Stream:
        return socket.is_connected() ? Errno::IsConnected : Errno::NotSupported;
    case SocketType::SeqPacket:
        return {};
    case SocketType::Datagram:
        KLOG_ONCE("pid %u: sendto a named Unix datagram socket is not supported: ECONNREFUSED", current_process().pid());
        return Errno::ConnectionRefused;
    }
    return {};
}

// The sender's address on receive: every socket here is unnamed, so none (length 0), as
// Linux's unix_copy_addr writes for an unnamed sender.
Result<void> put_no_source(UserAddress address, UserAddress length_address)
{
    if (!address || !length_address)
        return {};
    i32 length = TRY(read_user<i32>(length_address));
    if (length < 0)
        return Errno::Invalid;
    TRY(write_user<i32>(length_address, 0));
    return {};
}

Result<MessageHeader> read_message_header(UserAddress message)
{
    MessageHeader header = TRY(read_user<MessageHeader>(message));
    if (header.iov_length > UIO_MAXIOV)
        return Errno::MessageTooLong;
    return header;
}

}

Result<i64> sys_sendto(int fd, UserAddress buffer, u64 length, int flags, UserAddress address, u32 address_length)
{
    RefPtr<OpenFile> file;
    UnixSocket* socket = TRY(socket_of_fd(fd, file));
    TRY(check_destination(*socket, address, address_length));
    Segments segments;
    segments.set_one(buffer, length);
    return send_segments(*file, *socket, segments, flags);
}

Result<i64> sys_recvfrom(int fd, UserAddress buffer, u64 length, int flags, UserAddress address, UserAddress address_length)
{
    RefPtr<OpenFile> file;
    UnixSocket* socket = TRY(socket_of_fd(fd, file));
    Segments segments;
    segments.set_one(buffer, length);
    bool truncated;
    i64 received = TRY(receive_segments(*file, *socket, segments, flags, truncated));
    TRY(put_no_source(address, address_length));
    return received;
}

Result<i64> sys_sendmsg(int fd, UserAddress message, int flags)
{
    RefPtr<OpenFile> file;
    UnixSocket* socket = TRY(socket_of_fd(fd, file));
    MessageHeader header = TRY(read_message_header(message));
    if (header.control_length) {
        KLOG_ONCE("pid %u: sendmsg with control data (SCM_RIGHTS, SCM_CREDENTIALS) is not supported: EOPNOTSUPP",
            current_process().pid());
        return Errno::NotSupported;
    }
    TRY(check_destination(*socket, header.name, header.name_length));
    Segments segments;
    TRY(segments.load(header.iov, header.iov_length));
    return send_segments(*file, *socket, segments, flags);
}

Result<i64> sys_recvmsg(int fd, UserAddress message, int flags)
{
    RefPtr<OpenFile> file;
    UnixSocket* socket = TRY(socket_of_fd(fd, file));
    MessageHeader header = TRY(read_message_header(message));
    Segments segments;
    TRY(segments.load(header.iov, header.iov_length));
    bool truncated;
    i64 received = TRY(receive_segments(*file, *socket, segments, flags & ~MSG_CMSG_CLOEXEC, truncated));
    // No sender name (its length is written only if a name was asked for), no control
    // data; MSG_TRUNC if a message was cut.
    if (header.name)
        TRY(write_user<u32>(message + __builtin_offsetof(MessageHeader, name_length), 0));
    TRY(write_user<u64>(message + __builtin_offsetof(MessageHeader, control_length), 0));
    TRY(write_user<i32>(message + __builtin_offsetof(MessageHeader, flags), truncated ? MSG_TRUNC : 0));
    return received;
}

Result<i64> socket_vector_io(OpenFile& file, UserAddress iov, int count, bool reading)
{
    UnixSocket* socket = TRY(socket_for(file));
    Segments segments;
    TRY(segments.load(iov, static_cast<usize>(count)));
    if (!reading)
        return send_segments(file, *socket, segments, 0);
    bool truncated;
    return receive_segments(file, *socket, segments, 0, truncated);
}
