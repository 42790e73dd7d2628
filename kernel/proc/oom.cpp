#include "oom.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/lib/log.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/reclaim.h"
#include "oom_policy.h"
#include "process.h"
#include "signal.h"
#include <new>

namespace {

// A victim that has not exited this long after SIGKILL is passed over (oom_policy.h, Stuck).
constexpr u64 STUCK_AFTER_NS = 1'000'000'000;
constexpr u64 WAIT_NS = 1'000'000;
constexpr u64 RECLAIM_BATCH = 32;

// The latest processes killed for memory. Pids are never reused, so a pid here that still
// names a live process names the victim.
struct Victim {
    u32 pid;
    u64 killed_at;
};
constexpr usize VICTIMS_REMEMBERED = 16;
Victim g_victims[VICTIMS_REMEMBERED];
usize g_next_victim;
u32 g_spared_for; // the faulter whose last reclaim spared pages in use and dropped none

OomCandidate::State state_of(u32 pid, u64 now)
{
    for (Victim const& victim : g_victims)
        if (victim.pid == pid)
            return now - victim.killed_at < STUCK_AFTER_NS ? OomCandidate::State::Dying : OomCandidate::State::Stuck;
    return OomCandidate::State::Normal;
}

void remember_victim(u32 pid, u64 now)
{
    g_victims[g_next_victim] = { pid, now };
    g_next_victim = (g_next_victim + 1) % VICTIMS_REMEMBERED;
}

u64 resident_pages(Process& process) { return process.has_address_space() ? process.address_space().resident_pages() : 0; }

}

OomOutcome out_of_memory(Process& faulter, u64 address)
{
    MemoryContext& memory = kernel_memory_context();
    Reclaimed reclaimed = reclaim_clean_pages(memory, RECLAIM_BATCH, ReclaimMapped::Yes);
    if (reclaimed.dropped > 0) {
        g_spared_for = 0;
        return OomOutcome::RetryNow;
    }
    // Only pages in use were left, and their accessed bits are clear now: once, let the
    // faulter run again, so that what it does not touch meanwhile can go at the next fault.
    // The second time in a row, what is left is its working set: someone must die.
    if (reclaimed.spared > 0 && g_spared_for != faulter.pid()) {
        g_spared_for = faulter.pid();
        return OomOutcome::RetryNow;
    }
    g_spared_for = 0;

    // The candidates: every live process. The array comes from the kernel heap, which may
    // use the frames reserved for the kernel; without it the faulter goes.
    usize count = 0;
    for_each_process([&](Process& process) { count += process.state() == Process::State::Running; });
    auto* candidates = new (std::nothrow) OomCandidate[count];
    OomDecision decision { OomDecision::Action::KillFaulter, faulter.pid() };
    u64 now = monotonic_nanoseconds();
    if (candidates) {
        usize filled = 0;
        for_each_process([&](Process& process) {
            if (process.state() == Process::State::Running && filled < count)
                candidates[filled++] = { process.pid(), resident_pages(process), state_of(process.pid(), now) };
        });
        decision = decide_oom(candidates, filled, faulter.pid());
        delete[] candidates;
    }

    switch (decision.action) {
    case OomDecision::Action::Wait:
        return OomOutcome::Retry;
    case OomDecision::Action::KillVictim: {
        Process* victim = find_process(decision.victim);
        if (!victim)
            return OomOutcome::Retry;
        klog("out of memory: killed pid %u (%s, %lu KiB resident) for pid %u's fault at %lx", victim->pid(),
            victim->executable_path(), resident_pages(*victim) * (PAGE_SIZE / KiB), faulter.pid(), address);
        (void)send_signal(*victim, SIGKILL, SignalSender {});
        remember_victim(victim->pid(), now);
        ++memory.stats.oom_kills;
        return OomOutcome::Retry;
    }
    case OomDecision::Action::KillFaulter:
        if (faulter.pid() == INIT_PID)
            klog("out of memory: init (pid 1) faulted at %lx and no other process can give memory back; killing init "
                 "stops the system",
                address);
        else
            klog("out of memory: killed pid %u (%s, %lu KiB resident), which faulted at %lx", faulter.pid(),
                faulter.executable_path(), resident_pages(faulter) * (PAGE_SIZE / KiB), address);
        remember_victim(faulter.pid(), now);
        ++memory.stats.oom_kills;
        return OomOutcome::KillFaulter;
    }
    return OomOutcome::KillFaulter;
}

void oom_wait() { (void)sleep_until(monotonic_nanoseconds() + WAIT_NS, SleepKind::Interruptible); }
