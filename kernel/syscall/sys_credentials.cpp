// The user and group ids of the calling process (kernel/lib/credentials.h has the rules):
// get*id, set*id, getres*id/setres*id, setfs*id, getgroups/setgroups.
#include "handlers.h"

namespace {
Credentials& credentials() { return current_process().credentials; }

// set*id calls change only a copy, which becomes the process's on success.
template<typename Change> Result<i64> change_credentials(Change change)
{
    Credentials changed = credentials();
    TRY(change(changed));
    credentials() = static_cast<Credentials&&>(changed);
    return 0;
}

Result<i64> write_three(UserAddress a, u32 x, UserAddress b, u32 y, UserAddress c, u32 z)
{
    TRY(write_user(a, x));
    TRY(write_user(b, y));
    TRY(write_user(c, z));
    return 0;
}
}

Result<i64> sys_getuid() { return credentials().uid; }
Result<i64> sys_geteuid() { return credentials().euid; }
Result<i64> sys_getgid() { return credentials().gid; }
Result<i64> sys_getegid() { return credentials().egid; }

Result<i64> sys_setuid(u32 uid)
{
    return change_credentials([&](Credentials& c) { return c.set_uid(uid); });
}

Result<i64> sys_setgid(u32 gid)
{
    return change_credentials([&](Credentials& c) { return c.set_gid(gid); });
}

Result<i64> sys_setreuid(u32 real, u32 effective)
{
    return change_credentials([&](Credentials& c) { return c.set_reuid(real, effective); });
}

Result<i64> sys_setregid(u32 real, u32 effective)
{
    return change_credentials([&](Credentials& c) { return c.set_regid(real, effective); });
}

Result<i64> sys_setresuid(u32 real, u32 effective, u32 saved)
{
    return change_credentials([&](Credentials& c) { return c.set_resuid(real, effective, saved); });
}

Result<i64> sys_setresgid(u32 real, u32 effective, u32 saved)
{
    return change_credentials([&](Credentials& c) { return c.set_resgid(real, effective, saved); });
}

Result<i64> sys_getresuid(UserAddress real, UserAddress effective, UserAddress saved)
{
    Credentials const& c = credentials();
    return write_three(real, c.uid, effective, c.euid, saved, c.suid);
}

Result<i64> sys_getresgid(UserAddress real, UserAddress effective, UserAddress saved)
{
    Credentials const& c = credentials();
    return write_three(real, c.gid, effective, c.egid, saved, c.sgid);
}

Result<i64> sys_setfsuid(u32 uid) { return credentials().set_fsuid(uid); }
Result<i64> sys_setfsgid(u32 gid) { return credentials().set_fsgid(gid); }

Result<i64> sys_getgroups(int size, UserAddress list)
{
    if (size < 0)
        return Errno::Invalid;
    GroupList const* groups = credentials().groups.ptr();
    usize count = groups ? groups->count() : 0;
    if (size == 0)
        return static_cast<i64>(count);
    if (static_cast<usize>(size) < count)
        return Errno::Invalid;
    if (count)
        TRY(copy_to_user(user_space(), list, groups->gids(), count * sizeof(u32)));
    return static_cast<i64>(count);
}

Result<i64> sys_setgroups(int size, UserAddress list)
{
    if (!credentials().is_privileged())
        return Errno::NotPermitted; // CAP_SETGID
    if (size < 0 || static_cast<usize>(size) > GroupList::MAX)
        return Errno::Invalid;
    if (size == 0) {
        credentials().groups.clear();
        return 0;
    }
    u32* gids = new (std::nothrow) u32[size];
    if (!gids)
        return Errno::NoMemory;
    auto copied = copy_from_user(user_space(), gids, list, size * sizeof(u32));
    if (copied.is_error()) {
        delete[] gids;
        return copied.error();
    }
    auto created = GroupList::create(gids, size);
    delete[] gids;
    if (created.is_error())
        return created.error();
    credentials().groups = created.release_value();
    return 0;
}
