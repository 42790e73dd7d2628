// A spin lock for the few things CPUs touch at once while each runs kernel code: the kernel
// runs on one CPU at a time (the kernel-mode lock, docs/locking.md) except for the page
// faults that take that lock shared, and what those share has one of these. A test-and-
// test-and-set lock: waiters read until the lock looks free, so they do not keep stealing
// its cache line from the holder. Kernel code runs with interrupts off (rule 1), so an
// interrupt handler can never spin on a lock its own CPU holds; no masking is needed here.
// Never held across anything that sleeps or switches threads.
#pragma once

#include "lock_order.h"

class SpinLock {
public:
    explicit constexpr SpinLock(LockClass& lock_class) : m_class(&lock_class) { }
    SpinLock(SpinLock const&) = delete;
    SpinLock& operator=(SpinLock const&) = delete;

    void lock()
    {
        while (__atomic_exchange_n(&m_locked, true, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&m_locked, __ATOMIC_RELAXED))
                __builtin_ia32_pause();
        if constexpr (LOCK_ORDER_CHECKS)
            lock_order_acquired(*m_class);
    }
    void unlock()
    {
        if constexpr (LOCK_ORDER_CHECKS)
            lock_order_released(*m_class);
        __atomic_store_n(&m_locked, false, __ATOMIC_RELEASE);
    }
    bool is_locked() const { return __atomic_load_n(&m_locked, __ATOMIC_RELAXED); }

private:
    LockClass* m_class;
    bool m_locked { false };
};

class SpinLockGuard {
public:
    explicit SpinLockGuard(SpinLock& lock) : m_lock(lock) { m_lock.lock(); }
    ~SpinLockGuard() { m_lock.unlock(); }
    SpinLockGuard(SpinLockGuard const&) = delete;

private:
    SpinLock& m_lock;
};
