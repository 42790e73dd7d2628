// Named Unix sockets: bind, listen, connect and accept (Linux's unix_bind, unix_listen,
// unix_stream_connect, unix_accept). A named socket is on one list, found by its socket node
// (a path name: the inode bind made, which it keeps) or by its bytes (an abstract name).
//
//   connect(client) ──▶ a new socket S, paired with the client, queued on the listener
//   accept(listener) ──▶ S, oldest first; S carries the listener's name
//
// A connector whose listener's queue is longer than its backlog waits (EAGAIN if
// nonblocking) on one queue all listeners wake when they accept or close, and finds its
// listener again by name afterwards: it may have closed meanwhile. Locking: the kernel lock.
#include "inode.h"
#include "kernel/lib/memory.h"
#include "unix_socket.h"

namespace {
UnixSocket::BoundList g_bound_sockets;
WaitQueue g_backlog_room; // woken when any listener accepts, or closes
u32 g_next_autobind = 0;
constexpr int SOMAXCONN = 4096; // net.core.somaxconn

bool same_name(SocketName const& a, SocketName const& b)
{
    return a.length == b.length && memcmp(a.bytes, b.bytes, a.length) == 0;
}
}

UnixSocket* UnixSocket::find_bound(SocketName const& name, Inode* node)
{
    for (UnixSocket& socket : g_bound_sockets) {
        if (node ? socket.m_node.ptr() == node : (!socket.m_node && same_name(socket.m_name, name)))
            return &socket;
    }
    return nullptr;
}

Result<void> UnixSocket::bind(SocketName const& requested, RefPtr<Inode> node)
{
    if (m_name.length)
        return Errno::Invalid;
    SocketName name = requested;
    if (name.length == 0) {
        // Autobind: an abstract name "\0" and five hex digits, the first free one.
        for (;;) {
            constexpr char digits[] = "0123456789abcdef";
            u32 number = g_next_autobind++ & 0xfffff;
            name.bytes[0] = 0;
            for (int i = 0; i < 5; ++i)
                name.bytes[5 - i] = digits[(number >> (4 * i)) & 0xf];
            name.length = 6;
            if (!find_bound(name, nullptr))
                break;
        }
    } else if (!node && find_bound(name, nullptr)) {
        return Errno::AddressInUse;
    }
    m_name = name;
    m_node = node;
    g_bound_sockets.append(*this);
    return {};
}

Result<void> UnixSocket::listen(int backlog)
{
    if (m_type == SocketType::Datagram)
        return Errno::NotSupported;
    if (!m_name.length || m_connected)
        return Errno::Invalid;
    if (static_cast<u32>(backlog) > static_cast<u32>(SOMAXCONN))
        backlog = SOMAXCONN;
    m_backlog = static_cast<u32>(backlog);
    m_listening = true;
    g_backlog_room.wake_all(); // a larger backlog may let a connector in
    return {};
}

Result<void> UnixSocket::connect(SocketName const& name, Inode* node, bool nonblocking)
{
    // Linux's order: the listener's errors, its backlog, then this socket's state.
    UnixSocket* listener;
    for (;;) {
        listener = find_bound(name, node);
        if (!listener)
            return Errno::ConnectionRefused;
        if (listener->m_type != m_type)
            return Errno::ProtocolWrongType;
        if (!listener->m_listening)
            return Errno::ConnectionRefused;
        if (listener->m_pending_count <= listener->m_backlog)
            break;
        if (nonblocking)
            return Errno::TryAgain;
        if (g_backlog_room.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    if (m_connected)
        return Errno::IsConnected;
    if (m_listening)
        return Errno::Invalid;
    // The server's end: made by this process (its SO_PEERCRED names the connector), named as
    // the listener; the client's SO_PEERCRED names the listener's creator, as Linux's
    // copy_peercred.
    RefPtr<UnixSocket> server = TRY(create(m_type, m_pid, m_uid, m_gid));
    server->m_name = listener->m_name;
    TRY(connect_pair(*this, *server));
    m_peer_pid = listener->m_pid;
    m_peer_uid = listener->m_uid;
    m_peer_gid = listener->m_gid;
    m_peer_name = listener->m_name;
    server->m_peer_name = m_name;
    server->m_embryo = true;
    if (listener->m_pending_last)
        listener->m_pending_last->m_pending_next = server;
    else
        listener->m_pending_first = server;
    listener->m_pending_last = server.ptr();
    ++listener->m_pending_count;
    listener->m_readable.wake_all();
    return {};
}

Result<RefPtr<UnixSocket>> UnixSocket::accept(bool nonblocking)
{
    if (m_type == SocketType::Datagram)
        return Errno::NotSupported;
    while (!m_pending_first) {
        if (!m_listening)
            return Errno::Invalid;
        if (nonblocking)
            return Errno::TryAgain;
        if (m_readable.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    RefPtr<UnixSocket> server = m_pending_first;
    m_pending_first = server->m_pending_next;
    server->m_pending_next = nullptr;
    if (!m_pending_first)
        m_pending_last = nullptr;
    --m_pending_count;
    server->m_embryo = false;
    g_backlog_room.wake_all();
    return server;
}

// At the last close: the name goes (a path's node stays in the file system, as on Linux),
// and every connection not accepted is dropped — its client sees ECONNRESET. One at a time,
// so that a long queue does not free itself by recursion.
void UnixSocket::release_name_and_connections()
{
    if (m_bound_node.is_linked())
        BoundList::remove(*this);
    while (RefPtr<UnixSocket> server = m_pending_first) {
        m_pending_first = server->m_pending_next;
        server->m_pending_next = nullptr;
    }
    m_pending_last = nullptr;
    m_pending_count = 0;
    if (m_listening)
        g_backlog_room.wake_all();
}
