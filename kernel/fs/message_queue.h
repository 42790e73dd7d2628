// MessageQueue: the receive queue of a datagram or sequenced-packet socket — whole messages,
// oldest first, each as long as the one send that made it (Linux's sk_receive_queue of skbs).
// A send gathers its pieces into one message; a receive scatters one message into its
// pieces and drops whatever of it does not fit (the caller learns the full length, which is
// what MSG_TRUNC reports). It only stores; the socket around it (unix_socket.h) decides who
// waits. Host-tested (tests/host/fs/message_queue_test.cpp).
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class AddressSpace;

// One piece of user memory a send gathers from or a receive scatters into (an iovec).
struct UserSegment {
    u64 address;
    usize length;
};

class MessageQueue {
public:
    // What one message costs against its sender's SO_SNDBUF: its bytes and its record.
    static usize charge_for(usize length);

    MessageQueue() = default;
    MessageQueue(MessageQueue const&) = delete;
    ~MessageQueue() { clear(); }

    bool is_empty() const { return !m_first; }
    usize count() const { return m_count; }
    usize front_length() const; // the oldest message's length; the queue must not be empty

    // Appends one message of the segments' bytes (`total` of them). NoMemory, or the fault of
    // a segment that could not be copied: then nothing is queued.
    Result<void> push(AddressSpace&, UserSegment const*, usize segments, usize total);
    // Copies the oldest message into the segments and drops it; returns its full length
    // (more than was copied when it did not fit). A fault keeps it queued and is the error.
    Result<usize> take(AddressSpace&, UserSegment const*, usize segments);
    // Drops every message; returns what they were charged (their charge_for sum).
    usize clear();

private:
    struct Message {
        Message* next;
        usize length;
        u8* bytes() { return reinterpret_cast<u8*>(this + 1); }
    };
    Message* m_first { nullptr };
    Message* m_last { nullptr };
    usize m_count { 0 };
};
