#include "lock_order.h"

namespace {

LockOrderHooks const* g_hooks;

// g_before[a][b]: a lock of class a was held when one of class b was taken; the stack that
// first did so. Written rarely (once per pair), under g_record_lock; read without it — a
// pair seen late is only checked one acquisition later.
bool g_before[LOCK_CLASS_LIMIT + 1][LOCK_CLASS_LIMIT + 1];
LockStack g_first_stack[LOCK_CLASS_LIMIT + 1][LOCK_CLASS_LIMIT + 1];
u32 g_next_id = 1;
bool g_record_lock; // a plain test-and-set lock, itself outside the validator

void record_lock()
{
    while (__atomic_exchange_n(&g_record_lock, true, __ATOMIC_ACQUIRE)) { }
}
void record_unlock() { __atomic_store_n(&g_record_lock, false, __ATOMIC_RELEASE); }

u32 id_of(LockClass& lock_class)
{
    u32 id = __atomic_load_n(&lock_class.id, __ATOMIC_ACQUIRE);
    if (id)
        return id;
    record_lock();
    if (!lock_class.id && g_next_id <= LOCK_CLASS_LIMIT)
        __atomic_store_n(&lock_class.id, g_next_id++, __ATOMIC_RELEASE);
    record_unlock();
    return lock_class.id; // 0 past the limit: that class goes unchecked
}

void report(LockClass const& held, LockClass const& taken, LockStack const& recorded)
{
    LockInversion inversion { &held, &taken, recorded, {} };
    g_hooks->capture_stack(inversion.now);
    g_hooks->report(inversion);
}

}

void lock_order_set_hooks(LockOrderHooks const* hooks) { g_hooks = hooks; }

void lock_order_acquired(LockClass& lock_class)
{
    if (!g_hooks)
        return;
    u32 taken = id_of(lock_class);
    HeldLocks& held = g_hooks->held_here();
    if (!taken || held.count == HeldLocks::CAPACITY)
        return;
    for (u32 i = 0; i < held.count; ++i) {
        LockClass& earlier = *held.classes[i];
        u32 before = earlier.id;
        if (!before)
            continue;
        if (before == taken) {
            report(earlier, lock_class, LockStack {});
            continue;
        }
        if (__atomic_load_n(&g_before[taken][before], __ATOMIC_ACQUIRE)) {
            report(earlier, lock_class, g_first_stack[taken][before]);
            continue;
        }
        if (!__atomic_load_n(&g_before[before][taken], __ATOMIC_ACQUIRE)) {
            LockStack stack {};
            g_hooks->capture_stack(stack);
            record_lock();
            if (!g_before[before][taken]) {
                g_first_stack[before][taken] = stack;
                __atomic_store_n(&g_before[before][taken], true, __ATOMIC_RELEASE);
            }
            record_unlock();
        }
    }
    held.classes[held.count++] = &lock_class;
}

void lock_order_released(LockClass& lock_class)
{
    if (!g_hooks)
        return;
    HeldLocks& held = g_hooks->held_here();
    // Usually the newest; locks may be let go in any order.
    for (u32 i = held.count; i > 0; --i) {
        if (held.classes[i - 1] != &lock_class)
            continue;
        for (u32 j = i; j < held.count; ++j)
            held.classes[j - 1] = held.classes[j];
        --held.count;
        return;
    }
}

void lock_order_reset()
{
    record_lock();
    for (auto& row : g_before)
        for (bool& pair : row)
            pair = false;
    g_next_id = 1;
    record_unlock();
}
