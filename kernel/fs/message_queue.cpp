#include "message_queue.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_memory.h"
#include <new>

usize MessageQueue::charge_for(usize length) { return length + sizeof(Message); }

usize MessageQueue::front_length() const
{
    VERIFY(m_first);
    return m_first->length;
}

Result<void> MessageQueue::push(AddressSpace& space, UserSegment const* segments, usize count, usize total)
{
    auto* storage = new (std::nothrow) u8[sizeof(Message) + total];
    if (!storage)
        return Errno::NoMemory;
    auto* message = reinterpret_cast<Message*>(storage);
    message->next = nullptr;
    message->length = total;
    usize done = 0;
    for (usize i = 0; i < count && done < total; ++i) {
        usize piece = min<usize>(segments[i].length, total - done);
        if (auto copied = copy_from_user(space, message->bytes() + done, segments[i].address, piece); copied.is_error()) {
            delete[] storage;
            return copied.error();
        }
        done += piece;
    }
    if (m_last)
        m_last->next = message;
    else
        m_first = message;
    m_last = message;
    ++m_count;
    return {};
}

Result<usize> MessageQueue::take(AddressSpace& space, UserSegment const* segments, usize count)
{
    VERIFY(m_first);
    Message* message = m_first;
    usize done = 0;
    for (usize i = 0; i < count && done < message->length; ++i) {
        usize piece = min<usize>(segments[i].length, message->length - done);
        TRY(copy_to_user(space, segments[i].address, message->bytes() + done, piece));
        done += piece;
    }
    m_first = message->next;
    if (!m_first)
        m_last = nullptr;
    --m_count;
    usize length = message->length;
    delete[] reinterpret_cast<u8*>(message);
    return length;
}

usize MessageQueue::clear()
{
    usize charged = 0;
    while (Message* message = m_first) {
        m_first = message->next;
        charged += charge_for(message->length);
        delete[] reinterpret_cast<u8*>(message);
    }
    m_last = nullptr;
    m_count = 0;
    return charged;
}
