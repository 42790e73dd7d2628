// Orphaned process groups (POSIX; Linux's will_become_orphaned_pgrp). A job stays under its
// shell's control only while some member has a parent in another group of the same session:
// that parent (the shell) is who can continue it, or tell the user about it. A group with no
// such member is *orphaned*: nobody is left to say `fg` to it. So
//   - when a group becomes orphaned while a member is stopped, every member gets SIGHUP then
//     SIGCONT (it would otherwise stay stopped for ever);
//   - the terminal's stop signals (SIGTSTP, SIGTTIN, SIGTTOU) do not stop it, and its reads of
//     the terminal from the background get EIO instead of SIGTTIN.
//
//   session 7:  shell (group 7) ──parent of──▶ 9 (group 9) ──parent of──▶ 10 (group 9)
//   group 9 is not orphaned: 9's parent is in group 7, same session. When 9 exits, 10 goes
//   to init (another session), and group 9 = {10} is orphaned: if 10 is stopped, it gets
//   SIGHUP and SIGCONT.
//
// This is POSIX's rule. Linux's adds that a parent which is init never links a group (init
// adopts orphans and does no job control). Pagoda leaves that out: here the first process is
// often the user's program or shell itself (tools/pagoda-run), and a shell's jobs must not
// count as orphaned just because the shell is pid 1. A job whose members went to init is
// still orphaned when init is in another session, as it is on Linux in practice.
//
// The rule itself is pure (host-tested, tests/host/proc/orphaned_group_test.cpp); the
// process layer feeds it each member (session.cpp).
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/types.h"

// One member of a group as the rule sees it.
struct GroupMemberView {
    u32 session;
    bool leaving; // the process being left out: it is exiting, or has exited (a zombie)
    bool has_parent;
    u32 parent_group, parent_session;
};

// Whether a member ties its group to the rest of the session: its parent is in another group
// of the same session.
constexpr bool links_group_to_session(GroupMemberView const& member, u32 group)
{
    return !member.leaving && member.has_parent && member.parent_group != group && member.parent_session == member.session;
}

// A group is orphaned when no member links it (`for_each_member` calls its argument for each
// member). An empty group counts as orphaned, as in Linux, but has nobody to signal.
inline bool group_is_orphaned(u32 group, FunctionRef<void(FunctionRef<void(GroupMemberView const&)>)> for_each_member)
{
    bool linked = false;
    for_each_member([&](GroupMemberView const& member) { linked |= links_group_to_session(member, group); });
    return !linked;
}
