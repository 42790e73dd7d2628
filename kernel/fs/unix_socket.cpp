// Unix-domain sockets: the two ends of a pair, their receive queues and the waiting around
// them (unix_socket.h has the model).
#include "unix_socket.h"
#include "inode.h"
#include "kernel/lib/memory.h"
#include "kernel/sched/wait_set.h"
#include <new>

namespace {
// A stream's ring: 64 pages, more than SO_SNDBUF, so that the sender's charge is what stops
// it (a ring of small writes, each topping up a page, fills more slowly than its bytes).
constexpr u32 STREAM_RING_SLOTS = 64;
// Linux's unix_dgram_sendmsg refuses a message longer than the send buffer less 32.
constexpr usize MESSAGE_SLACK = 32;
u64 g_next_inode_number = 1;
}

UnixSocket::UnixSocket(SocketType type, u32 pid, u32 uid, u32 gid, u64 inode_number)
    : m_type(type), m_pid(pid), m_uid(uid), m_gid(gid), m_inode_number(inode_number)
{ }

Result<RefPtr<UnixSocket>> UnixSocket::create(SocketType type, u32 pid, u32 uid, u32 gid)
{
    auto* socket = new (std::nothrow) UnixSocket(type, pid, uid, gid, g_next_inode_number++);
    if (!socket)
        return Errno::NoMemory;
    RefPtr<UnixSocket> result = adopt_ref(socket);
    if (type == SocketType::Stream)
        TRY(socket->m_bytes.initialize(STREAM_RING_SLOTS));
    return result;
}

Result<void> UnixSocket::connect_pair(UnixSocket& a, UnixSocket& b)
{
    VERIFY(!a.m_peer && !b.m_peer && a.m_type == b.m_type);
    a.m_peer = &b;
    b.m_peer = &a;
    a.m_connected = b.m_connected = true;
    auto remember_creator = [](UnixSocket& self, UnixSocket const& other) {
        self.m_has_peer_credentials = true;
        self.m_peer_pid = other.m_pid;
        self.m_peer_uid = other.m_uid;
        self.m_peer_gid = other.m_gid;
    };
    remember_creator(a, b);
    remember_creator(b, a);
    return {};
}

// The last close (Linux's unix_release_sock): the peer can no longer send here nor hear
// from here. What it queued here is dropped, and its charge with it.
UnixSocket::~UnixSocket()
{
    release_name_and_connections();
    UnixSocket* peer = m_peer;
    if (!peer)
        return;
    peer->m_peer = nullptr;
    peer->m_sent = 0;
    if (m_type == SocketType::Datagram) {
        peer->m_peer_lost = true;
    } else {
        peer->m_shutdown = RECEIVE_SHUT | SEND_SHUT;
        if (has_data() || m_embryo)
            peer->m_error = static_cast<int>(Errno::ConnectionReset);
    }
    peer->m_readable.wake_all();
    peer->m_writable.wake_all();
}

bool UnixSocket::has_room_from(UnixSocket const& sender) const
{
    if (sender.m_sent >= sender.m_send_buffer)
        return false;
    return !is_stream() || !m_bytes.is_full();
}

void UnixSocket::credit_sender(usize charge)
{
    if (!m_peer)
        return;
    m_peer->m_sent -= min(charge, m_peer->m_sent);
    m_peer->m_writable.wake_all();
}

Result<usize> UnixSocket::send(SocketIo const& io)
{
    if (is_stream())
        return send_stream(io);
    return send_message(io);
}

// Linux's unix_stream_sendmsg: not atomic; whatever went in before a wait that failed counts.
Result<usize> UnixSocket::send_stream(SocketIo const& io)
{
    if (!m_connected)
        return Errno::NotConnected;
    usize done = 0;
    for (usize i = 0; i < io.segment_count; ++i) {
        UserSegment const& segment = io.segments[i];
        usize written = 0;
        while (written < segment.length) {
            // Re-checked after every wait: the peer may have shut down or gone meanwhile.
            if ((m_shutdown & SEND_SHUT) || !m_peer || (m_peer->m_shutdown & RECEIVE_SHUT))
                return done + written ? Result<usize>(done + written) : Result<usize>(Errno::BrokenPipe);
            UnixSocket& peer = *m_peer;
            if (!peer.has_room_from(*this)) {
                if (io.nonblocking)
                    return done + written ? Result<usize>(done + written) : Result<usize>(Errno::TryAgain);
                if (m_writable.wait_interruptible() == WaitResult::Interrupted)
                    return done + written ? Result<usize>(done + written) : Result<usize>(Errno::RestartSys);
                continue;
            }
            u64 address = segment.address + written;
            usize left = segment.length - written;
            // Top up the last page with what fits whole, as a pipe does, or take a fresh one.
            auto topped_up = peer.m_bytes.top_up(io.space, address, left, false);
            if (topped_up.is_error())
                return done + written ? Result<usize>(done + written) : Result<usize>(topped_up.error());
            usize added = topped_up.value();
            if (added == 0) {
                auto page = peer.m_bytes.add_page(io.space, address, left, false);
                if (page.is_error())
                    return done + written ? Result<usize>(done + written) : Result<usize>(page.error());
                added = page.value();
            }
            written += added;
            m_sent += added;
            peer.m_readable.wake_all();
        }
        done += written;
    }
    return done;
}

// Linux's unix_dgram_sendmsg (also for seqpacket): one message, whole, or nothing.
Result<usize> UnixSocket::send_message(SocketIo const& io)
{
    usize total = 0;
    for (usize i = 0; i < io.segment_count; ++i)
        total += io.segments[i].length;
    if (m_type == SocketType::SeqPacket && !m_connected)
        return Errno::NotConnected;
    if (total > m_send_buffer - MESSAGE_SLACK)
        return Errno::MessageTooLong;
    for (;;) {
        if (m_shutdown & SEND_SHUT)
            return Errno::BrokenPipe;
        if (!m_peer) {
            if (!m_peer_lost)
                return Errno::NotConnected;
            // The peer closed: refused once, and what it had sent here goes too (Linux's
            // unix_dgram_disconnected); the socket is not connected any more.
            m_peer_lost = false;
            m_connected = false;
            m_messages.clear();
            return Errno::ConnectionRefused;
        }
        UnixSocket& peer = *m_peer;
        if (peer.m_shutdown & RECEIVE_SHUT)
            return Errno::BrokenPipe;
        if (peer.has_room_from(*this))
            break;
        if (io.nonblocking)
            return Errno::TryAgain;
        if (m_writable.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    UnixSocket& peer = *m_peer;
    TRY(peer.m_messages.push(io.space, io.segments, io.segment_count, total));
    m_sent += MessageQueue::charge_for(total);
    peer.m_readable.wake_all();
    return total;
}

Result<ReceiveResult> UnixSocket::receive(SocketIo const& io)
{
    // Linux: a stream not connected is EINVAL, a seqpacket socket ENOTCONN; a datagram
    // socket may wait for a sender.
    if (!m_connected && m_type != SocketType::Datagram)
        return m_type == SocketType::Stream ? Errno::Invalid : Errno::NotConnected;
    while (!has_data()) {
        if (m_error) {
            auto error = static_cast<Errno>(take_error());
            return error;
        }
        if (m_shutdown & RECEIVE_SHUT) {
            // A non-blocking datagram socket is the exception: EAGAIN, as on Linux.
            if (m_type == SocketType::Datagram && io.nonblocking)
                return Errno::TryAgain;
            return ReceiveResult { 0, 0 };
        }
        if (io.nonblocking)
            return Errno::TryAgain;
        if (m_readable.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    if (!is_stream()) {
        usize length = TRY(m_messages.take(io.space, io.segments, io.segment_count));
        credit_sender(MessageQueue::charge_for(length));
        usize room = 0;
        for (usize i = 0; i < io.segment_count; ++i)
            room += io.segments[i].length;
        return ReceiveResult { min(room, length), length };
    }
    // A stream: from the ring into each segment in turn while bytes are there.
    usize done = 0;
    for (usize i = 0; i < io.segment_count && !m_bytes.is_empty(); ++i) {
        bool freed_slot;
        auto taken = m_bytes.take(io.space, io.segments[i].address, io.segments[i].length, freed_slot);
        if (taken.is_error()) {
            if (!done)
                return taken.error();
            break;
        }
        done += taken.value();
        credit_sender(taken.value());
        if (taken.value() < io.segments[i].length)
            break;
    }
    return ReceiveResult { done, done };
}

Result<void> UnixSocket::shut_down(int how)
{
    if (how < 0 || how > 2)
        return Errno::Invalid;
    u8 mode = static_cast<u8>(how + 1); // SHUT_RD → RECEIVE_SHUT, SHUT_WR → SEND_SHUT, both
    m_shutdown |= mode;
    m_readable.wake_all();
    m_writable.wake_all();
    if (m_peer && m_type != SocketType::Datagram) {
        u8 peer_mode = ((mode & RECEIVE_SHUT) ? SEND_SHUT : 0) | ((mode & SEND_SHUT) ? RECEIVE_SHUT : 0);
        m_peer->m_shutdown |= peer_mode;
        m_peer->m_readable.wake_all();
        m_peer->m_writable.wake_all();
    }
    return {};
}

void UnixSocket::set_send_buffer(u32 requested)
{
    constexpr usize WMEM_MAX = 212992, SOCK_MIN_SNDBUF = 4608;
    m_send_buffer = max<usize>(min<usize>(requested, WMEM_MAX) * 2, SOCK_MIN_SNDBUF);
    m_writable.wake_all();
}

void UnixSocket::set_receive_buffer(u32 requested)
{
    constexpr usize RMEM_MAX = 212992, SOCK_MIN_RCVBUF = 2304;
    m_receive_buffer = max<usize>(min<usize>(requested, RMEM_MAX) * 2, SOCK_MIN_RCVBUF);
}

int UnixSocket::take_error()
{
    int error = m_error;
    m_error = 0;
    return error;
}

bool UnixSocket::peer_credentials(u32& pid, u32& uid, u32& gid) const
{
    if (!m_has_peer_credentials)
        return false;
    pid = m_peer_pid;
    uid = m_peer_uid;
    gid = m_peer_gid;
    return true;
}

Result<usize> UnixSocket::read_to_user(UserIo const& io)
{
    UserSegment segment { io.buffer, io.count };
    ReceiveResult result = TRY(receive({ io.space, &segment, 1, io.nonblocking }));
    return result.copied;
}

Result<usize> UnixSocket::write_from_user(UserIo const& io)
{
    UserSegment segment { io.buffer, io.count };
    return send({ io.space, &segment, 1, io.nonblocking });
}

// Linux's unix_poll and unix_dgram_poll.
u32 UnixSocket::poll(WaitSet* waiter)
{
    if (waiter) {
        waiter->watch(m_readable);
        waiter->watch(m_writable);
    }
    u32 events = 0;
    if (m_error)
        events |= POLL_ERR;
    if (m_shutdown == (RECEIVE_SHUT | SEND_SHUT))
        events |= POLL_HUP;
    if (m_shutdown & RECEIVE_SHUT)
        events |= POLL_RDHUP | POLL_IN | POLL_RDNORM;
    if (has_data() || m_pending_count)
        events |= POLL_IN | POLL_RDNORM;
    if (m_listening)
        return events; // a listener is never writable nor hung up (Linux's unix_writable)
    if (m_type != SocketType::Datagram && !m_connected)
        events |= POLL_HUP;
    // Writable while at most a quarter of the send buffer is in use (Linux's unix_writable).
    bool ring_full = m_peer && m_peer->is_stream() && m_peer->m_bytes.is_full();
    if (m_sent * 4 <= m_send_buffer && !ring_full)
        events |= POLL_OUT | POLL_WRNORM | POLL_WRBAND;
    return events;
}

void UnixSocket::stat(LinuxStat& out) const
{
    out = {};
    out.st_mode = MODE_SOCKET | 0777;
    out.st_nlink = 1;
    out.st_uid = m_uid;
    out.st_gid = m_gid;
    out.st_blksize = PAGE_SIZE;
    out.st_dev = 5; // the sockets' own device, as Linux's sockfs has one (pipes are 4)
    out.st_ino = m_inode_number;
}
