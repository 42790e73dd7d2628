#include "file_lock.h"
#include "inode.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/sched/wait_queue.h"
#include "lease_list.h"
#include "lock_wait_graph.h"
#include "whole_file_lock_list.h"

namespace {

struct FileLockContext {
    void const* file; // what it belongs to: the Inode, or the File when there is none
    RecordLockList records;
    WholeFileLockList whole_file;
    LeaseList leases;
    WaitQueue changed; // sleepers for any kind
    u32 sleepers { 0 }; // keep the context alive while they sleep
    ListNode node;

    bool is_unused() const { return records.is_empty() && whole_file.is_empty() && leases.is_empty() && sleepers == 0; }
};

// Few files are locked at a time, so a list is enough. Locks never outlive their file: each
// one's owner keeps an open file of it (a POSIX lock goes with the owner's last descriptor).
IntrusiveList<FileLockContext, &FileLockContext::node> g_contexts;
LockWaitGraph g_waits;

// Every open of one inode gets the same Inode object (the mounts keep one per inode), so
// locks taken through different opens meet here.
void const* lock_target(File& file)
{
    if (Inode* inode = file.inode())
        return inode;
    return &file;
}

FileLockContext* find_context(void const* file)
{
    for (FileLockContext& context : g_contexts)
        if (context.file == file)
            return &context;
    return nullptr;
}

Result<FileLockContext*> context_for(void const* file)
{
    if (FileLockContext* context = find_context(file))
        return context;
    auto* context = new (std::nothrow) FileLockContext { file };
    if (!context)
        return Errno::NoLock;
    g_contexts.append(*context);
    return context;
}

void drop_if_unused(FileLockContext& context)
{
    if (!context.is_unused())
        return;
    g_contexts.remove(context);
    delete &context;
}

// Bytes were given up: every sleeper looks again. Their wait-for edges go first, since the
// lock each one waited for may be free now (Linux removes them in locks_wake_up_blocks).
void wake_sleepers(FileLockContext& context)
{
    g_waits.remove_waits_on(context.file);
    context.changed.wake_all();
}

// Sleeps on the context until a lock changes there, a signal comes, or monotonic time
// `deadline_ns` (0: none). Interrupted, the call is restarted after a handler with
// SA_RESTART (ERESTARTSYS), as Linux's lock waits are.
Result<void> sleep_on(FileLockContext& context, u64 deadline_ns = 0)
{
    ++context.sleepers;
    WaitResult result = context.changed.wait_interruptible(deadline_ns);
    --context.sleepers;
    if (result == WaitResult::Interrupted)
        return Errno::RestartSys;
    return {};
}

Result<void> take_record_lock(FileLockContext& context, RecordLock const& request, IfLocked if_locked)
{
    LockWait wait { request.owner, {}, context.file, {} };
    for (;;) {
        RecordLock const* conflict = context.records.find_conflict(request);
        if (!conflict) {
            if (TRY(context.records.set(request)))
                wake_sleepers(context); // an upgrade or a downgrade gave up bytes
            return {};
        }
        if (if_locked == IfLocked::Fail)
            return Errno::TryAgain;
        // Open-file locks belong to no process, so Linux neither refuses them as deadlocks
        // nor records waits for them.
        if (request.kind == RecordLockKind::Process && g_waits.would_deadlock(request.owner, conflict->owner))
            return Errno::Deadlock;
        if (conflict->kind == RecordLockKind::Process) {
            wait.holder = conflict->owner;
            g_waits.add(wait);
        }
        auto slept = sleep_on(context);
        g_waits.remove(wait);
        TRY(slept);
    }
}

}

bool find_record_lock(File& file, RecordLock const& request, RecordLock& found)
{
    FileLockContext* context = find_context(lock_target(file));
    if (!context)
        return false;
    RecordLock const* lock
        = request.type == LockType::Unlock ? context->records.find_own(request) : context->records.find_conflict(request);
    if (!lock)
        return false;
    found.describe_as(*lock);
    return true;
}

Result<void> set_record_lock(File& file, RecordLock const& request, IfLocked if_locked)
{
    void const* target = lock_target(file);
    if (request.type == LockType::Unlock) {
        FileLockContext* context = find_context(target);
        if (!context)
            return {}; // nothing held: unlocking succeeds, as on Linux
        if (TRY(context->records.set(request)))
            wake_sleepers(*context);
        drop_if_unused(*context);
        return {};
    }
    FileLockContext* context = TRY(context_for(target));
    auto result = take_record_lock(*context, request, if_locked);
    drop_if_unused(*context);
    return result;
}

Result<void> set_whole_file_lock(File& file, LockOwner owner, LockType type, IfLocked if_locked)
{
    void const* target = lock_target(file);
    FileLockContext* context = type == LockType::Unlock ? find_context(target) : TRY(context_for(target));
    if (!context)
        return {};
    if (WholeFileLock* held = context->whole_file.find(owner)) {
        if (held->type == type)
            return {};
        context->whole_file.remove(owner);
        wake_sleepers(*context);
    }
    Result<void> result {};
    while (type != LockType::Unlock) {
        if (!context->whole_file.find_conflict(owner, type)) {
            result = context->whole_file.add(owner, type);
            break;
        }
        if (if_locked == IfLocked::Fail) {
            result = Errno::TryAgain;
            break;
        }
        if (result = sleep_on(*context); result.is_error())
            break;
    }
    drop_if_unused(*context);
    return result;
}

void release_record_locks(File& file, LockOwner owner)
{
    if (g_contexts.is_empty())
        return; // the common case: no file is locked at all
    FileLockContext* context = find_context(lock_target(file));
    if (!context)
        return;
    if (context->records.remove_owner(owner))
        wake_sleepers(*context);
    drop_if_unused(*context);
}

void release_open_file_locks(File& file, LockOwner owner)
{
    if (g_contexts.is_empty())
        return;
    FileLockContext* context = find_context(lock_target(file));
    if (!context)
        return;
    bool released = context->records.remove_owner(owner);
    released |= context->whole_file.remove(owner);
    if (Lease* lease = context->leases.find(owner)) {
        context->leases.remove(*lease);
        released = true;
    }
    if (released)
        wake_sleepers(*context);
    drop_if_unused(*context);
}

namespace {

// Breaks whose time ran out are carried out first, whenever leases are looked at.
void time_out_leases(FileLockContext& context)
{
    if (context.leases.time_out(monotonic_nanoseconds()))
        wake_sleepers(context);
}

// Linux's check_conflicting_open: a read lease needs the file open for writing nowhere; a
// write lease needs it open nowhere but in this open file.
bool open_files_allow(OpenFile& file, Inode& inode, LockType type)
{
    if (type == LockType::Read)
        return inode.write_count() <= 0;
    i32 own_writers = file.can_write() ? 1 : 0;
    u32 own_readers = !file.can_write() && file.can_read() ? 1 : 0;
    return inode.write_count() == own_writers && inode.read_only_opens() == own_readers;
}

}

Result<void> set_lease(OpenFile& file, LockType type, u32 holder_pid, void (*notify)(u32 pid))
{
    Inode* inode = file.file().inode();
    if (!inode || !inode->is_regular())
        return Errno::Invalid;
    LockOwner owner = file.lock_owner();
    if (type == LockType::Unlock) {
        FileLockContext* context = find_context(inode);
        Lease* lease = context ? context->leases.find(owner) : nullptr;
        if (!lease)
            return Errno::TryAgain;
        context->leases.remove(*lease);
        wake_sleepers(*context);
        drop_if_unused(*context);
        return {};
    }
    FileLockContext* context = TRY(context_for(inode));
    time_out_leases(*context);
    Result<void> result {};
    if (!open_files_allow(file, *inode, type) || !context->leases.others_allow(owner, type)) {
        result = Errno::TryAgain;
    } else if (Lease* lease = context->leases.find(owner)) {
        context->leases.change(*lease, type);
        wake_sleepers(*context); // a breaker waiting for a downgrade may go on
    } else {
        Lease wanted;
        wanted.owner = owner;
        wanted.type = type;
        wanted.holder_pid = holder_pid;
        wanted.notify = notify;
        if (auto added = context->leases.add(wanted); added.is_error())
            result = added.error();
    }
    drop_if_unused(*context);
    return result;
}

LockType lease_type(OpenFile& file)
{
    FileLockContext* context = g_contexts.is_empty() ? nullptr : find_context(lock_target(file.file()));
    if (!context)
        return LockType::Unlock;
    time_out_leases(*context);
    Lease* lease = context->leases.find(file.lock_owner());
    LockType type = lease ? lease->reported_type() : LockType::Unlock;
    drop_if_unused(*context);
    return type;
}

i32& lease_break_seconds()
{
    static i32 seconds = 45;
    return seconds;
}

Result<void> break_leases(Inode& inode, bool for_writing, bool nonblocking)
{
    FileLockContext* context = g_contexts.is_empty() ? nullptr : find_context(&inode);
    if (!context || context->leases.is_empty())
        return {};
    time_out_leases(*context);
    Result<void> result {};
    if (context->leases.blocks_opener(for_writing)) {
        i32 seconds = lease_break_seconds();
        u64 deadline = seconds > 0 ? monotonic_nanoseconds() + u64(seconds) * 1'000'000'000 : 0; // 0: none
        context->leases.start_breaking(for_writing, deadline, [](Lease& lease) {
            if (lease.notify)
                lease.notify(lease.holder_pid);
        });
        if (nonblocking)
            result = Errno::TryAgain;
        // Until each lease in the way is downgraded or gone: by its holder, or by the
        // kernel when its break time is up (the wait's deadline).
        while (!result.is_error() && context->leases.blocks_opener(for_writing)) {
            result = sleep_on(*context, context->leases.next_deadline());
            time_out_leases(*context);
        }
    }
    drop_if_unused(*context);
    return result;
}
