#include "pipe_limits.h"
#include "kernel/lib/intrusive_list.h"
#include <new>

namespace {

PipeLimits g_limits;

// One user's charge; the record exists while the charge is not 0.
struct UserCharge {
    u32 uid;
    u64 pages;
    ListNode node;
};
IntrusiveList<UserCharge, &UserCharge::node> g_charges;

UserCharge* find_charge(u32 uid)
{
    for (UserCharge& charge : g_charges)
        if (charge.uid == uid)
            return &charge;
    return nullptr;
}

}

PipeLimits& pipe_limits() { return g_limits; }

u64 pipe_pages_for(u64 bytes)
{
    if (bytes > PipeLimits::MOST_BYTES)
        return 0;
    u64 pages = 1;
    while (pages * PAGE_SIZE < bytes)
        pages *= 2;
    return pages;
}

Result<u64> charge_pipe_pages(u32 uid, u64 old_pages, u64 new_pages)
{
    UserCharge* charge = find_charge(uid);
    if (!charge) {
        if (new_pages == 0)
            return 0;
        charge = new (std::nothrow) UserCharge { uid, 0, {} };
        if (!charge)
            return Errno::NoMemory;
        g_charges.append(*charge);
    }
    charge->pages = charge->pages + new_pages - old_pages;
    u64 total = charge->pages;
    if (total == 0) {
        decltype(g_charges)::remove(*charge);
        delete charge;
    }
    return total;
}

u64 pipe_pages_charged(u32 uid)
{
    UserCharge* charge = find_charge(uid);
    return charge ? charge->pages : 0;
}
