// A set of pending signals with who sent each, as Linux keeps them: a standard signal
// (1..31) is pending or not — sending it again while pending changes nothing, the first
// sender is kept — while each real-time signal (32..64) is queued once per send, in order,
// with its own sender and value (sigqueue). Pure bookkeeping, host-tested.
#pragma once

#include "intrusive_list.h"
#include "result.h"
#include "signal_numbers.h"

class PendingSignals {
public:
    PendingSignals() = default;
    PendingSignals(PendingSignals const&) = delete;
    ~PendingSignals() { clear(); }

    // The signals pending, bit N-1 for signal N.
    u64 bits() const { return m_bits; }
    bool has(int signal) const { return m_bits & bit(signal); }
    // TryAgain if a real-time signal cannot be queued (the queue is full, or no memory).
    Result<void> add(int signal, SignalSender const&);
    // Takes one instance of a pending `signal` (the oldest, for a real-time one) and returns
    // its sender; the signal stays pending while more instances are queued.
    SignalSender take(int signal);
    // Whether an instance of `signal` from this sender (its si_code and si_pid, which a
    // POSIX timer's signal uses for its timer id) is pending.
    bool has_from(int signal, int code, u32 pid) const;
    // Drops every instance of the signals in `mask`.
    void discard(u64 mask);
    void clear() { discard(~u64(0)); }

    // At most this many real-time instances wait in one set (Linux bounds them per user
    // with RLIMIT_SIGPENDING).
    static constexpr u32 QUEUE_LIMIT = 1024;

private:
    static u64 bit(int signal) { return 1ull << (signal - 1); }
    struct Queued {
        int signal;
        SignalSender sender;
        ListNode node;
    };
    u64 m_bits { 0 };
    SignalSender m_sender[SIGRTMIN - 1]; // of each pending standard signal
    IntrusiveList<Queued, &Queued::node> m_queue; // real-time instances, oldest first
    u32 m_queued { 0 };
};
