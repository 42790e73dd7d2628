// Unix-domain sockets (AF_UNIX, unix(7)): socket() makes one that is not connected, and
// socketpair() two that are connected to each other; connect() to a listener makes such a
// pair too, one end queued for accept() (names and listeners: unix_socket_names.cpp). Each socket owns its receive queue —
// for SOCK_STREAM a PipeRing of bytes, as a pipe holds them; for SOCK_DGRAM and
// SOCK_SEQPACKET a MessageQueue of whole messages — and a sender charges what it queued at
// its peer against its own SO_SNDBUF until the peer reads it (Linux's sk_wmem_alloc).
//
//      end A                                   end B
//   ┌──────────────┐  A sends: into B's queue ┌──────────────┐
//   │ receive queue│◀──── B sends ──────┐     │ receive queue│
//   │ sent (wmem)  │                    └──── │ sent (wmem)  │
//   │ peer ────────┼──────────────────────────▶ peer         │
//   └──────────────┘ (raw; each end clears the other's when it goes)
//
// Shutting down (shutdown(2), and the peer's close) works as Linux's sk_shutdown: each socket
// has a "receive shut" and a "send shut" bit; for stream and seqpacket sockets one side's
// SHUT_WR is the other's receive shut and SHUT_RD the other's send shut, and the last close
// of one end shuts both directions of the other — with ECONNRESET pending for it (SO_ERROR)
// when the closed end had bytes it never read. Writing with "send shut", or to a peer that
// shut receiving, is EPIPE; a stream's EPIPE raises SIGPIPE too (signals_broken_pipe), a
// packet socket's does not, as on Linux. Reading an empty queue with "receive shut" is end
// of file. A datagram pair is looser, as on Linux: shutdown() does not reach the peer, and
// the first send after the peer closed is ECONNREFUSED (which empties the sender's own
// queue), every later one ENOTCONN.
//
// Locking: the kernel lock, as for pipes (pipe.cpp says why).
#pragma once

#include "file.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/sched/wait_queue.h"
#include "message_queue.h"
#include "pipe_ring.h"

// socket(2)'s types (SOCK_RAW is made a datagram socket, as Linux's unix_create does).
enum class SocketType : int {
    Stream = 1,
    Datagram = 2,
    SeqPacket = 5,
};

// How a send or receive may proceed (MSG_DONTWAIT, or O_NONBLOCK on the description).
struct SocketIo {
    AddressSpace& space;
    UserSegment const* segments;
    usize segment_count;
    bool nonblocking;
};

// A socket's name: sun_path as bind stores it — a path with its NUL, or an abstract name
// (its first byte NUL) of exactly `length` bytes. length 0: unnamed.
struct SocketName {
    static constexpr usize MAX = 108;
    u8 bytes[MAX];
    u32 length { 0 };
    bool is_abstract() const { return length && bytes[0] == 0; }
};

struct ReceiveResult {
    usize copied;
    usize message_length; // of a packet socket's message: more than copied if it was cut
};

class UnixSocket final : public File {
public:
    // SO_SNDBUF and SO_RCVBUF of a new socket: Linux's net.core.wmem_default/rmem_default.
    static constexpr usize DEFAULT_BUFFER = 212992;
    static Result<RefPtr<UnixSocket>> create(SocketType, u32 pid, u32 uid, u32 gid);
    static Result<void> connect_pair(UnixSocket&, UnixSocket&);
    ~UnixSocket() override;

    SocketType type() const { return m_type; }
    // Sends the segments' bytes: a stream as much as fits (waiting for room unless
    // nonblocking), a packet socket one message or nothing. BrokenPipe, NotConnected,
    // ConnectionRefused, MessageTooLong, TryAgain, RestartSys as Linux's unix_*_sendmsg.
    Result<usize> send(SocketIo const&);
    // Receives: a stream what is queued (waiting for some unless nonblocking), a packet
    // socket one message. 0 is end of file.
    Result<ReceiveResult> receive(SocketIo const&);
    // shutdown(2): 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR (others: Invalid).
    Result<void> shut_down(int how);
    // Names and connections (unix_socket_names.cpp). bind: Invalid if named already;
    // `node` is the socket node made for a path name (null for an abstract one, which must
    // be free: AddressInUse). An empty name autobinds an abstract one of 5 hex digits.
    Result<void> bind(SocketName const&, RefPtr<Inode> node);
    // listen: Invalid unnamed or connected, NotSupported for a datagram socket.
    Result<void> listen(int backlog);
    // connect a stream or seqpacket socket to the listener bound to `node` (a path) or to
    // `name` (abstract): ConnectionRefused without one listening, ProtocolWrongType for
    // another type, TryAgain (nonblocking) or a wait while its backlog is full.
    Result<void> connect(SocketName const&, Inode* node, bool nonblocking);
    // accept: the oldest connection made to this listener; Invalid if not listening.
    Result<RefPtr<UnixSocket>> accept(bool nonblocking);
    SocketName const& name() const { return m_name; }
    SocketName const& peer_name() const { return m_peer_name; }
    bool is_listening() const { return m_listening; }

    // SO_ERROR: the pending error, cleared by asking (0 if none).
    int take_error();
    usize send_buffer() const { return m_send_buffer; }
    usize receive_buffer() const { return m_receive_buffer; }
    // setsockopt SO_SNDBUF / SO_RCVBUF as Linux's sk_setsockopt: the value (as unsigned) capped
    // at net.core.wmem_max / rmem_max (212992), doubled, at least SOCK_MIN_SNDBUF (4608) /
    // SOCK_MIN_RCVBUF (2304). A larger send buffer wakes a waiting sender.
    void set_send_buffer(u32 requested);
    void set_receive_buffer(u32 requested);
    // SO_PEERCRED: the peer's process and ids when the pair was made (kept after it closed,
    // as Linux's sk_peer_cred); false for a socket never paired.
    bool peer_credentials(u32& pid, u32& uid, u32& gid) const;
    bool is_connected() const { return m_connected; }
    // getpeername: a peer to name — made by socketpair, and not a datagram socket that has
    // since learned (ECONNREFUSED) that its peer is gone.
    bool has_peer_name() const { return m_connected; }

    // File
    Result<usize> read_to_user(UserIo const&) override;
    Result<usize> write_from_user(UserIo const&) override;
    u32 poll(WaitSet*) override;
    bool is_pollable() const override { return true; }
    bool is_seekable() const override { return false; }
    bool signals_broken_pipe() const override { return m_type == SocketType::Stream; }
    void stat(LinuxStat&) const override;
    UnixSocket* unix_socket() override { return this; }

private:
    static constexpr u8 RECEIVE_SHUT = 1, SEND_SHUT = 2; // Linux's RCV_SHUTDOWN, SEND_SHUTDOWN
    UnixSocket(SocketType, u32 pid, u32 uid, u32 gid, u64 inode_number);
    bool is_stream() const { return m_type == SocketType::Stream; }
    bool has_data() const { return is_stream() ? !m_bytes.is_empty() : !m_messages.is_empty(); }
    static UnixSocket* find_bound(SocketName const&, Inode* node);
    void release_name_and_connections();
    // Whether a sender to this socket may queue more: its charge below its SO_SNDBUF and,
    // for a stream, a free slot in this socket's ring.
    bool has_room_from(UnixSocket const& sender) const;
    Result<usize> send_stream(SocketIo const&);
    Result<usize> send_message(SocketIo const&);
    // Returns `charge` bytes of the peer's send buffer, now read or dropped here.
    void credit_sender(usize charge);

    SocketType m_type;
    UnixSocket* m_peer { nullptr }; // the other end of the pair while it lives
    bool m_connected { false }; // made by socketpair (a stream's stays true after the peer goes)
    bool m_peer_lost { false }; // a datagram socket whose peer closed: next send ECONNREFUSED
    u8 m_shutdown { 0 };
    int m_error { 0 }; // SO_ERROR (an errno), 0 if none
    PipeRing m_bytes; // the receive queue of a stream
    MessageQueue m_messages; // the receive queue of a packet socket
    usize m_sent { 0 }; // bytes charged for what this socket queued at its peer
    usize m_send_buffer { DEFAULT_BUFFER };
    usize m_receive_buffer { DEFAULT_BUFFER };
    u32 m_pid, m_uid, m_gid; // of the creator (the peer's SO_PEERCRED)
    bool m_has_peer_credentials { false };
    u32 m_peer_pid { 0 }, m_peer_uid { 0 }, m_peer_gid { 0 }; // the peer's creator
    u64 m_inode_number; // st_ino: each socket its own, as in Linux's sockfs
    WaitQueue m_readable; // woken when data arrives, receiving is shut, or a connection waits
    WaitQueue m_writable; // woken when the peer reads (room) or sending is shut

    // Names (unix_socket_names.cpp).
    SocketName m_name;
    SocketName m_peer_name; // the peer's name when the pair was made
    RefPtr<Inode> m_node; // the socket node of a path name
    ListNode m_bound_node; // in the list of named sockets
    bool m_listening { false };
    bool m_embryo { false }; // made by connect, not accepted yet (its close resets the peer)
    u32 m_backlog { 0 };
    // Connections not accepted yet, oldest first: each holds the next.
    RefPtr<UnixSocket> m_pending_first;
    UnixSocket* m_pending_last { nullptr };
    u32 m_pending_count { 0 };
    RefPtr<UnixSocket> m_pending_next;

public:
    using BoundList = IntrusiveList<UnixSocket, &UnixSocket::m_bound_node>;
};
