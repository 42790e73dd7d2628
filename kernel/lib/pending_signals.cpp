#include "pending_signals.h"
#include <new>

Result<void> PendingSignals::add(int signal, SignalSender const& sender, QueueRoom room)
{
    constexpr int SI_USER = 0; // signal_codes.h, which host tests cannot include
    if (signal < SIGRTMIN) {
        if (has(signal))
            return {};
        if (room == QueueRoom::Available || sender.code >= 0) {
            m_sender[signal - 1] = sender;
            m_standard_entries |= bit(signal);
        } else {
            m_sender[signal - 1] = SignalSender { SI_USER, 0, 0, 0 }; // pending, its sender lost
        }
        m_bits |= bit(signal);
        return {};
    }
    if (room == QueueRoom::Exhausted) {
        if (sender.code != SI_USER)
            return Errno::TryAgain;
        m_bits |= bit(signal); // kill() may not fail: pending, its sender lost (take() gives SI_USER)
        return {};
    }
    auto* queued = new (std::nothrow) Queued { signal, sender, {} };
    if (!queued && sender.code == SI_USER) {
        m_bits |= bit(signal); // out of memory: the same loss as without room
        return {};
    }
    if (!queued)
        return Errno::TryAgain;
    m_queue.append(*queued);
    ++m_queued;
    m_bits |= bit(signal);
    return {};
}

bool PendingSignals::has_from(int signal, int code, u32 pid) const
{
    if (!has(signal))
        return false;
    if (signal < SIGRTMIN)
        return m_sender[signal - 1].code == code && m_sender[signal - 1].pid == pid;
    for (Queued const& queued : m_queue)
        if (queued.signal == signal && queued.sender.code == code && queued.sender.pid == pid)
            return true;
    return false;
}

SignalSender PendingSignals::take(int signal)
{
    if (signal < SIGRTMIN) {
        m_bits &= ~bit(signal);
        m_standard_entries &= ~bit(signal);
        return m_sender[signal - 1];
    }
    SignalSender sender { 0, 0, 0, 0 }; // SI_USER with no sender: pending without an entry
    bool found = false, more = false;
    for (Queued* queued = m_queue.first(); queued;) {
        Queued* next = m_queue.next(*queued);
        if (queued->signal == signal) {
            if (found) {
                more = true;
                break;
            }
            found = true;
            sender = queued->sender;
            m_queue.remove(*queued);
            --m_queued;
            delete queued;
        }
        queued = next;
    }
    if (!more)
        m_bits &= ~bit(signal);
    return sender;
}

void PendingSignals::discard(u64 mask)
{
    m_bits &= ~mask;
    m_standard_entries &= ~mask;
    for (Queued* queued = m_queue.first(); queued;) {
        Queued* next = m_queue.next(*queued);
        if (mask & bit(queued->signal)) {
            m_queue.remove(*queued);
            --m_queued;
            delete queued;
        }
        queued = next;
    }
}
