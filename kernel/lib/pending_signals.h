// A set of pending signals with who sent each, as Linux keeps them: a standard signal
// (1..31) is pending or not — sending it again while pending changes nothing, the first
// sender is kept — while each real-time signal (32..64) is queued once per send, in order,
// with its own sender and value (sigqueue). Pure bookkeeping, host-tested.
//
// Each recorded sender takes one queue entry, which RLIMIT_SIGPENDING counts for the
// receiver's user (the caller adds up entries() and says whether there is room). Without
// room Linux still makes a standard signal pending — with its sender kept if it came from
// kill() or the kernel (si_code >= 0), with the sender lost (si_code SI_USER, no pid)
// otherwise — and a real-time one from kill() pending without its sender; any other
// real-time signal is refused (EAGAIN).
#pragma once

#include "intrusive_list.h"
#include "result.h"
#include "signal_numbers.h"

// Whether the receiver's user may take another queue entry (below RLIMIT_SIGPENDING).
enum class QueueRoom {
    Available,
    Exhausted
};

class PendingSignals {
public:
    PendingSignals() = default;
    PendingSignals(PendingSignals const&) = delete;
    ~PendingSignals() { clear(); }

    // The signals pending, bit N-1 for signal N.
    u64 bits() const { return m_bits; }
    bool has(int signal) const { return m_bits & bit(signal); }
    // TryAgain if a real-time signal cannot be queued (no room, as above, or no memory).
    Result<void> add(int signal, SignalSender const&, QueueRoom room = QueueRoom::Available);
    // Whether adding `signal` would take a new queue entry (not for a standard signal that
    // is already pending).
    bool needs_entry(int signal) const { return signal >= SIGRTMIN || !has(signal); }
    // The queue entries this set holds: the count RLIMIT_SIGPENDING bounds.
    u32 entries() const { return static_cast<u32>(__builtin_popcountll(m_standard_entries)) + m_queued; }
    // Takes one instance of a pending `signal` (the oldest, for a real-time one) and returns
    // its sender; the signal stays pending while more instances are queued.
    SignalSender take(int signal);
    // Whether an instance of `signal` from this sender (its si_code and si_pid, which a
    // POSIX timer's signal uses for its timer id) is pending.
    bool has_from(int signal, int code, u32 pid) const;
    // Drops every instance of the signals in `mask`.
    void discard(u64 mask);
    void clear() { discard(~u64(0)); }

private:
    static u64 bit(int signal) { return 1ull << (signal - 1); }
    struct Queued {
        int signal;
        SignalSender sender;
        ListNode node;
    };
    u64 m_bits { 0 };
    u64 m_standard_entries { 0 }; // the pending standard signals whose sender took an entry
    SignalSender m_sender[SIGRTMIN - 1]; // of each pending standard signal
    IntrusiveList<Queued, &Queued::node> m_queue; // real-time instances, oldest first
    u32 m_queued { 0 };
};
