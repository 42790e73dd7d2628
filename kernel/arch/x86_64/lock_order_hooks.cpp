#include "lock_order_hooks.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/log.h"
#include "per_cpu.h"
#include "symbols.h"

namespace {

HeldLocks& held_here() { return this_cpu().held_locks; }

void capture_stack(LockStack& stack)
{
    // From the validator's caller on: skip this frame and lock_order_acquired's.
    u64 rbp = *reinterpret_cast<u64*>(__builtin_frame_address(0));
    u32 depth = 0;
    while (depth < LOCK_STACK_DEPTH && rbp >= 0xffff800000000000 && (rbp & 7) == 0) {
        auto* frame = reinterpret_cast<u64*>(rbp);
        if (frame[1] < 0xffffffff80000000)
            break;
        stack.return_addresses[depth++] = frame[1];
        rbp = frame[0];
    }
}

void print_stack(char const* title, LockStack const& stack)
{
    klog("%s", title);
    for (u64 address : stack.return_addresses) {
        if (!address)
            break;
        char name[128];
        klog("  %016lx  %s", address, symbolize(address, name, sizeof name) ? name : "");
    }
}

void report(LockInversion const& inversion)
{
    klog("lock order: took \"%s\" while holding \"%s\"", inversion.taken->name, inversion.held->name);
    if (inversion.held == inversion.taken)
        klog("(two locks of one class at once: nothing orders them)");
    else
        print_stack("the opposite order was first taken here:", inversion.recorded);
    print_stack("and this order here:", inversion.now);
    PANIC("lock-order inversion: \"%s\" and \"%s\"", inversion.held->name, inversion.taken->name);
}

LockOrderHooks const g_hooks { held_here, capture_stack, report };

}

void lock_order_checks_start() { lock_order_set_hooks(&g_hooks); }
