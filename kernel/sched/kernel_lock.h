// The big kernel lock. Kernel code runs one thread at a time: a thread takes the lock when
// it enters the kernel from user mode (system call, page fault, exception) and gives it back
// when it returns. While it sleeps for an *event* (a pipe, a child, a timer, a futex,
// another thread's lock) it lends the lock out; while it waits for the *disk* it keeps it.
// So a VM or file-system operation — a page fault reading a file page, a write-back, an
// ext2 allocation — is never interleaved with another, even though it sleeps, and the code
// below needs no locks of its own. Meanwhile other processes' user code keeps running.
// docs/locking.md tells the whole story. Waiting for the lock is not interruptible.
#pragma once

#include "thread.h"

void kernel_lock_acquire();
void kernel_lock_release();
bool kernel_lock_held_by_current();
// Nobody holds it — not even a thread asleep on the disk in the middle of an operation.
// Meaningful only while no kernel code can take it: a page fault holding the kernel-mode
// lock shared (proc/user_trap.cpp) asks, to know that no change is half done.
bool kernel_lock_is_free();
// The same, or true during boot, before the first thread runs (nothing else can run then):
// what code that must hold the lock asserts (the VM's MemoryContext::vm_lock_held).
bool kernel_lock_held_or_booting();

// While one of these exists, the current thread keeps the kernel lock when it sleeps (disk
// waits: the operation around it must not be interleaved).
class KeepKernelLockWhileSleeping {
public:
    KeepKernelLockWhileSleeping();
    ~KeepKernelLockWhileSleeping();
    KeepKernelLockWhileSleeping(KeepKernelLockWhileSleeping const&) = delete;
};
