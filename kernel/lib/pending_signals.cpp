#include "pending_signals.h"
#include <new>

Result<void> PendingSignals::add(int signal, SignalSender const& sender)
{
    if (signal < SIGRTMIN) {
        if (!has(signal))
            m_sender[signal - 1] = sender;
        m_bits |= bit(signal);
        return {};
    }
    if (m_queued >= QUEUE_LIMIT)
        return Errno::TryAgain;
    auto* queued = new (std::nothrow) Queued { signal, sender, {} };
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
        return m_sender[signal - 1];
    }
    SignalSender sender {};
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
