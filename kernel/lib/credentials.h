// Credentials: whom a process acts as (Linux's struct cred, without capability sets).
//
//   uid  gid    real: who started it; access() checks with these, kill() compares them
//   euid egid   effective: privilege (euid 0 is root) and the owner of what it creates...
//   suid sgid   saved: an id it may switch back to (set by exec of a set-ID program)
//   fsuid fsgid ...file-system ids: what permission checks and new files use; they follow
//               the effective ids on every set*id call, setfsuid/setfsgid move them alone
//   groups      supplementary groups, shared (copy on change) between processes
//
// Pagoda keeps no capability sets: a process is privileged exactly when Linux's would hold
// the capability with no capset() ever called — CAP_SETUID, CAP_SETGID, CAP_KILL and the
// rest while euid is 0, the file-system ones (CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,
// CAP_FSETID, ...) while fsuid is 0, since Linux drops and raises those as the ids move.
//
// The set*id rules below are Linux's (kernel/sys.c): an unprivileged process may only pick
// among its own real, effective and saved ids; -1 (UNCHANGED) leaves an id as it is.
#pragma once

#include "ref_counted.h"
#include "result.h"
#include "types.h"

// The supplementary group list: immutable once made, so processes share it by reference.
class GroupList final : public RefCounted<GroupList> {
public:
    static constexpr usize MAX = 65536; // NGROUPS_MAX
    // A sorted copy of `gids` (duplicates kept, as Linux keeps them). Invalid above MAX.
    static Result<RefPtr<GroupList>> create(u32 const* gids, usize count);
    ~GroupList() { delete[] m_gids; }
    usize count() const { return m_count; }
    // Ascending, as getgroups() reports them on Linux.
    u32 const* gids() const { return m_gids; }
    bool contains(u32 gid) const;

private:
    GroupList(u32* gids, usize count) : m_gids(gids), m_count(count) { }
    u32* m_gids;
    usize m_count;
};

struct Credentials {
    static constexpr u32 UNCHANGED = 0xffffffff; // the -1 of the set*id calls

    u32 uid { 0 }, euid { 0 }, suid { 0 }, fsuid { 0 };
    u32 gid { 0 }, egid { 0 }, sgid { 0 }, fsgid { 0 };
    RefPtr<GroupList> groups; // null: none

    // Holds the capabilities that are not about files (set ids, signal anyone, locks...).
    bool is_privileged() const { return euid == 0; }
    // Holds the file-system capabilities (override permission bits, chown, keep S_ISGID).
    bool is_fs_privileged() const { return fsuid == 0; }
    // Linux's in_group_p: the fs group or a supplementary one.
    bool in_group(u32 gid) const;

    // The credentials access() checks with: the real ids as file-system ids (so root's
    // overrides follow the real uid too), everything else unchanged.
    Credentials for_access_check() const;

    // The system calls. Each changes *this only when it succeeds: NotPermitted where an
    // unprivileged caller asks for an id that is not its own, Invalid for an id of -1
    // where -1 does not mean "unchanged" (setuid, setgid).
    Result<void> set_uid(u32);
    Result<void> set_reuid(u32 real, u32 effective);
    Result<void> set_resuid(u32 real, u32 effective, u32 saved);
    // setfsuid: returns the previous fsuid whether or not it changed (no error, as Linux).
    u32 set_fsuid(u32);
    Result<void> set_gid(u32);
    Result<void> set_regid(u32 real, u32 effective);
    Result<void> set_resgid(u32 real, u32 effective, u32 saved);
    u32 set_fsgid(u32);

    // kill(2): whether a process with these credentials may signal one with `target`'s:
    // root may signal anyone, others a process whose real or saved uid is their real or
    // effective uid (Linux's kill_ok_by_cred; SIGCONT within a session is the caller's
    // business).
    bool may_signal(Credentials const& target) const;

    // prlimit64 on another process: root may, others only a process whose real, effective
    // and saved uids are all their real uid, and its three gids their real gid (Linux's
    // check_prlimit_permission).
    bool may_use_limits_of(Credentials const& target) const;

    // execve: a set-user-ID program runs as its file's owner, a set-group-ID one (with group
    // execute) as its group; then the saved and file-system ids follow the effective ones.
    void start_program(bool set_user_id, u32 file_uid, bool set_group_id, u32 file_gid);
};
