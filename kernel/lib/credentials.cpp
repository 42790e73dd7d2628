#include "credentials.h"
#include <new>

Result<RefPtr<GroupList>> GroupList::create(u32 const* gids, usize count)
{
    if (count > MAX)
        return Errno::Invalid;
    u32* copy = new (std::nothrow) u32[count ? count : 1];
    if (!copy)
        return Errno::NoMemory;
    // Insertion sort: lists are short, and this runs only at setgroups().
    for (usize i = 0; i < count; ++i) {
        usize j = i;
        for (; j > 0 && copy[j - 1] > gids[i]; --j)
            copy[j] = copy[j - 1];
        copy[j] = gids[i];
    }
    auto* list = new (std::nothrow) GroupList(copy, count);
    if (!list) {
        delete[] copy;
        return Errno::NoMemory;
    }
    return adopt_ref(list);
}

bool GroupList::contains(u32 gid) const
{
    usize low = 0, high = m_count;
    while (low < high) {
        usize middle = low + (high - low) / 2;
        if (m_gids[middle] == gid)
            return true;
        if (m_gids[middle] < gid)
            low = middle + 1;
        else
            high = middle;
    }
    return false;
}

bool Credentials::in_group(u32 group) const { return group == fsgid || (groups && groups->contains(group)); }

Credentials Credentials::for_access_check() const
{
    Credentials checked = *this;
    checked.fsuid = uid;
    checked.fsgid = gid;
    return checked;
}

namespace {

// The four ids of one kind (user or group), so the rules below are written once.
struct IdSet {
    u32& real;
    u32& effective;
    u32& saved;
    u32& fs;

    bool is_own(u32 id) const { return id == real || id == effective || id == saved; }
};

IdSet user_ids(Credentials& c) { return { c.uid, c.euid, c.suid, c.fsuid }; }
IdSet group_ids(Credentials& c) { return { c.gid, c.egid, c.sgid, c.fsgid }; }

constexpr u32 UNCHANGED = Credentials::UNCHANGED;

// setuid(2): privileged, all three ids (and fsuid); otherwise only the effective one, and
// only to the real or the saved id.
Result<void> set_one(IdSet ids, u32 id, bool privileged)
{
    if (id == UNCHANGED)
        return Errno::Invalid;
    if (privileged) {
        ids.real = ids.effective = ids.saved = ids.fs = id;
        return {};
    }
    if (id != ids.real && id != ids.saved)
        return Errno::NotPermitted;
    ids.effective = ids.fs = id;
    return {};
}

// setreuid(2): the real id may become the real or effective one, the effective id any of
// the three. The saved id becomes the new effective one when the real id is set, or the
// effective one is set to something other than the old real id.
Result<void> set_real_effective(IdSet ids, u32 real, u32 effective, bool privileged)
{
    if (!privileged) {
        if (real != UNCHANGED && real != ids.real && real != ids.effective)
            return Errno::NotPermitted;
        if (effective != UNCHANGED && !ids.is_own(effective))
            return Errno::NotPermitted;
    }
    u32 old_real = ids.real;
    if (real != UNCHANGED)
        ids.real = real;
    if (effective != UNCHANGED)
        ids.effective = effective;
    if (real != UNCHANGED || (effective != UNCHANGED && effective != old_real))
        ids.saved = ids.effective;
    ids.fs = ids.effective;
    return {};
}

// setresuid(2): each id that changes must be one of the three old ones.
Result<void> set_real_effective_saved(IdSet ids, u32 real, u32 effective, u32 saved, bool privileged)
{
    if (!privileged) {
        for (u32 id : { real, effective, saved })
            if (id != UNCHANGED && !ids.is_own(id))
                return Errno::NotPermitted;
    }
    if (real != UNCHANGED)
        ids.real = real;
    if (effective != UNCHANGED)
        ids.effective = effective;
    if (saved != UNCHANGED)
        ids.saved = saved;
    ids.fs = ids.effective;
    return {};
}

// setfsuid(2): to one of the four ids, or anything when privileged; the old one comes back.
u32 set_fs(IdSet ids, u32 id, bool privileged)
{
    u32 old = ids.fs;
    if (id != UNCHANGED && (privileged || ids.is_own(id) || id == ids.fs))
        ids.fs = id;
    return old;
}

}

// The privilege to set ids is CAP_SETUID or CAP_SETGID: both follow euid (see the header).
Result<void> Credentials::set_uid(u32 id) { return set_one(user_ids(*this), id, is_privileged()); }
Result<void> Credentials::set_reuid(u32 real, u32 effective)
{
    return set_real_effective(user_ids(*this), real, effective, is_privileged());
}
Result<void> Credentials::set_resuid(u32 real, u32 effective, u32 saved)
{
    return set_real_effective_saved(user_ids(*this), real, effective, saved, is_privileged());
}
u32 Credentials::set_fsuid(u32 id) { return set_fs(user_ids(*this), id, is_privileged()); }

Result<void> Credentials::set_gid(u32 id) { return set_one(group_ids(*this), id, is_privileged()); }
Result<void> Credentials::set_regid(u32 real, u32 effective)
{
    return set_real_effective(group_ids(*this), real, effective, is_privileged());
}
Result<void> Credentials::set_resgid(u32 real, u32 effective, u32 saved)
{
    return set_real_effective_saved(group_ids(*this), real, effective, saved, is_privileged());
}
u32 Credentials::set_fsgid(u32 id) { return set_fs(group_ids(*this), id, is_privileged()); }

void Credentials::start_program(bool set_user_id, u32 file_uid, bool set_group_id, u32 file_gid)
{
    if (set_user_id)
        euid = file_uid;
    if (set_group_id)
        egid = file_gid;
    suid = fsuid = euid;
    sgid = fsgid = egid;
}

bool Credentials::may_signal(Credentials const& target) const
{
    if (is_privileged()) // CAP_KILL
        return true;
    return euid == target.suid || euid == target.uid || uid == target.suid || uid == target.uid;
}

bool Credentials::may_use_limits_of(Credentials const& target) const
{
    if (is_privileged()) // CAP_SYS_RESOURCE
        return true;
    return uid == target.uid && uid == target.euid && uid == target.suid && gid == target.gid && gid == target.egid
        && gid == target.sgid;
}
