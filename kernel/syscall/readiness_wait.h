// Waiting for descriptors to become ready: the loop poll(), ppoll(), select() and pselect6()
// share (Linux's do_poll/do_select), and their time-outs.
//
//   pass 1: ask every file (File::poll), each watching its wait queues in one WaitSet
//   nothing ready?  sleep on the set until a queue is woken, the time-out, or a signal
//   pass 2, 3, ...: ask again (the watches stay), until something is ready
//
// A signal ends the wait with ERESTARTNOHAND (Errno::RestartNoHand): EINTR once the
// handler runs, whatever SA_RESTART says — poll and select are never restarted after a
// handler, as on Linux.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class WaitSet;

// A time-out: none (wait as long as it takes), zero (look once), or a monotonic deadline.
class ReadinessTimeout {
public:
    static ReadinessTimeout forever() { return ReadinessTimeout(Kind::Forever, 0); }
    // poll()'s milliseconds: negative waits forever.
    static ReadinessTimeout from_milliseconds(i32);
    // A struct timespec's fields: Invalid if negative or the nanoseconds reach a second.
    static Result<ReadinessTimeout> from_seconds(i64 seconds, i64 nanoseconds);

    bool is_zero() const { return m_kind == Kind::Zero; }
    bool is_forever() const { return m_kind == Kind::Forever; }
    u64 deadline_ns() const { return m_deadline_ns; } // for Until; 0 otherwise
    // What select and the p-calls write back: the time left (0 once passed).
    u64 remaining_ns() const;

private:
    enum class Kind {
        Forever,
        Zero,
        Until
    };
    ReadinessTimeout(Kind kind, u64 deadline_ns) : m_kind(kind), m_deadline_ns(deadline_ns) { }
    Kind m_kind;
    u64 m_deadline_ns;
};

// `scan(watcher)` looks at every descriptor once and returns how many are ready (or an
// error); with a non-null watcher it also watches their queues. Returns scan's count, 0
// after the time-out, RestartNoHand for a signal, NoMemory if a queue could not be
// watched and nothing is ready.
Result<i64> wait_until_ready(ReadinessTimeout const&, FunctionRef<Result<i64>(WaitSet*)> scan);

constexpr u64 NANOSECONDS_PER_SECOND = 1000000000;
