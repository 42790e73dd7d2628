// DropRing<T>: a fixed-size ring of records for a producer that must never wait — the
// kernel's event traces. When the ring is full a new record is dropped, not written over
// an old one: the reader keeps the beginning of the story (the state it needs to make sense
// of what follows) and learns from the count how much is missing after it.
//
//   pushed ─────────────────────────────▶ (each push: one slot written, or one drop counted)
//   [ read ... | r e c o r d s   w a i t i n g | free slots ]
//   popped ──────▶
//
// The storage is the caller's (a host test passes an array; the kernel one from its heap).
// Locking: none. One CPU, interrupts off in the kernel (docs/locking.md); a ring per CPU
// keeps it so when there are more.
#pragma once

#include "types.h"

template<typename T> class DropRing {
public:
    DropRing() = default;
    DropRing(T* slots, u64 capacity) : m_slots(slots), m_capacity(capacity) { }

    // Appends `record`, or counts a drop when the ring is full (or has no storage).
    // Returns whether it was kept. Never blocks, never allocates.
    bool push(T const& record)
    {
        if (m_pushed - m_popped >= m_capacity) {
            ++m_dropped;
            return false;
        }
        m_slots[m_pushed % m_capacity] = record;
        ++m_pushed;
        return true;
    }

    // Takes the oldest record into `out`; false when there is none.
    bool pop(T& out)
    {
        if (m_popped == m_pushed)
            return false;
        out = m_slots[m_popped % m_capacity];
        ++m_popped;
        return true;
    }

    // The oldest record without taking it, or null.
    T const* peek() const { return m_popped == m_pushed ? nullptr : &m_slots[m_popped % m_capacity]; }

    u64 size() const { return m_pushed - m_popped; }
    u64 capacity() const { return m_capacity; }
    u64 dropped() const { return m_dropped; } // records refused because the ring was full
    u64 kept() const { return m_pushed; } // records ever pushed

private:
    T* m_slots { nullptr };
    u64 m_capacity { 0 };
    u64 m_pushed { 0 };
    u64 m_popped { 0 };
    u64 m_dropped { 0 };
};
