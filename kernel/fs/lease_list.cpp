#include "lease_list.h"
#include "kernel/lib/assert.h"
#include <new>

LockType Lease::reported_type() const
{
    switch (pending) {
    case LeaseBreak::Unlock:
        return LockType::Unlock;
    case LeaseBreak::Downgrade:
        return LockType::Read;
    case LeaseBreak::None:
        break;
    }
    return type;
}

LeaseList::~LeaseList()
{
    while (Lease* lease = m_leases.take_first())
        delete lease;
}

Lease* LeaseList::find(LockOwner owner) const
{
    for (Lease& lease : m_leases)
        if (lease.owner == owner)
            return &lease;
    return nullptr;
}

bool LeaseList::others_allow(LockOwner owner, LockType type) const
{
    for (Lease const& lease : m_leases) {
        if (lease.owner == owner)
            continue;
        if (type == LockType::Write || lease.pending == LeaseBreak::Unlock)
            return false;
    }
    return true;
}

Result<Lease*> LeaseList::add(Lease const& wanted)
{
    VERIFY(!find(wanted.owner) && wanted.type != LockType::Unlock);
    auto* lease = new (std::nothrow) Lease;
    if (!lease)
        return Errno::NoMemory;
    lease->owner = wanted.owner;
    lease->type = wanted.type;
    lease->holder_pid = wanted.holder_pid;
    lease->notify = wanted.notify;
    m_leases.append(*lease);
    return lease;
}

void LeaseList::change(Lease& lease, LockType type)
{
    VERIFY(type != LockType::Unlock);
    lease.type = type;
    if (type == LockType::Read && lease.pending == LeaseBreak::Downgrade)
        lease.pending = LeaseBreak::None;
}

void LeaseList::remove(Lease& lease)
{
    m_leases.remove(lease);
    delete &lease;
}

bool LeaseList::blocks_opener(bool for_writing) const
{
    for (Lease const& lease : m_leases)
        if (lease.blocks_opener(for_writing))
            return true;
    return false;
}

bool LeaseList::time_out(u64 now_ns)
{
    bool changed = false;
    for (Lease* lease = m_leases.first(); lease;) {
        Lease* next = m_leases.next(*lease);
        bool due = lease->break_deadline_ns && lease->break_deadline_ns <= now_ns;
        if (due && lease->pending == LeaseBreak::Downgrade) {
            change(*lease, LockType::Read);
            changed = true;
        } else if (due && lease->pending == LeaseBreak::Unlock) {
            remove(*lease);
            changed = true;
        }
        lease = next;
    }
    return changed;
}

u64 LeaseList::next_deadline() const
{
    u64 earliest = 0;
    for (Lease const& lease : m_leases)
        if (lease.pending != LeaseBreak::None && lease.break_deadline_ns && (!earliest || lease.break_deadline_ns < earliest))
            earliest = lease.break_deadline_ns;
    return earliest;
}
