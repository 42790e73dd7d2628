#include "file_lock.h"
#include "inode.h"
#include "kernel/sched/wait_queue.h"
#include "lock_wait_graph.h"
#include "whole_file_lock_list.h"

namespace {

struct FileLockContext {
    void const* file; // what it belongs to: the Inode, or the File when there is none
    RecordLockList records;
    WholeFileLockList whole_file;
    WaitQueue changed; // sleepers for either kind
    u32 sleepers { 0 }; // keep the context alive while they sleep
    ListNode node;

    bool is_unused() const { return records.is_empty() && whole_file.is_empty() && sleepers == 0; }
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

// Sleeps on the context until a lock changes there or a signal comes. Interrupted, the
// call is restarted after a handler with SA_RESTART (ERESTARTSYS), as Linux's lock waits are.
Result<void> sleep_on(FileLockContext& context)
{
    ++context.sleepers;
    WaitResult result = context.changed.wait_interruptible();
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
    if (released)
        wake_sleepers(*context);
    drop_if_unused(*context);
}
