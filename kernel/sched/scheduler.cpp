#include "scheduler.h"
#include "deadline_timer.h"
#include "kernel/arch/x86_64/ap_start.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/arch/x86_64/kernel_mode_lock.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/time_stamp_access.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/mm/address_space.h"
#include "kernel_lock.h"
#include "local_timer.h"

extern "C" void switch_context(u64* save_rsp, u64 new_rsp);
extern "C" void scheduler_finish_switch();

namespace {

// One run queue for every CPU: the kernel runs on one CPU at a time (kernel_mode_lock.h),
// so a shared queue costs no lock of its own and balances by itself — whichever CPU looks
// first takes the oldest thread. (With two or four CPUs, per-CPU queues would buy cache
// affinity at the price of a balancer; docs/locking.md.)
IntrusiveList<Thread, &Thread::scheduler_node> g_run_queue;
IntrusiveList<Thread, &Thread::sleep_node> g_sleepers;
// What each CPU's scheduler keeps besides PerCpu::current.
struct CpuScheduler {
    Thread* idle;
    Thread* dead; // exited thread whose stack this CPU was still on; freed after the next switch
    u64 user_ticks, system_ticks, idle_ticks; // what its timer found it doing
    u64 next_tick_at; // when its local timer ticks next; TICK_STOPPED while it idles
};
CpuScheduler g_cpus[MAX_CPUS];
SchedulerStats g_stats;
constexpr u64 SLICE_NS = 10000000; // a time slice: 10 ms
// Each CPU's tick, a request of its one-shot local timer (local_timer.h) made only while
// the CPU runs a thread: an idle CPU takes no ticks. It ends no sleep (deadlines have their
// own requests). The boot CPU ticks at TIMER_HZ; the others at 250 Hz, enough for 10 ms time
// slices and CPU-time accounting, and a quarter of the kernel-mode lock traffic 1000 Hz
// would cost.
constexpr u64 BOOT_CPU_TICK_NS = 1000000000 / TIMER_HZ, OTHER_CPUS_TICK_NS = 4000000;
constexpr u64 TICK_STOPPED = ~0ull;
// The load average's sample, every 5 s (a deadline: it comes while every CPU idles too).
constexpr u64 LOAD_SAMPLE_NS = 5000000000;
u32 g_uninterruptible; // threads blocked where no signal wakes them (Linux's D state)
constexpr u64 LOAD_SHIFT = 11, LOAD_ONE = 1 << LOAD_SHIFT; // Linux's fixed point (FSHIFT)
constexpr u64 LOAD_DECAY[3] = { 1884, 2014, 2037 }; // exp(-5 s / 1, 5, 15 min) in that point
void (*g_cpu_tick_hook)(Thread&, bool);

CpuScheduler& here() { return g_cpus[this_cpu().index]; }
Thread*& current() { return this_cpu().current; }
bool is_idle(Thread const* thread) { return thread == here().idle; }
u32 this_cpu_bit() { return 1u << this_cpu().index; }

// The oldest runnable thread allowed on this CPU.
Thread* take_next_for_this_cpu()
{
    for (Thread& thread : g_run_queue)
        if (thread.allowed_cpus & this_cpu_bit()) {
            g_run_queue.remove(thread);
            return &thread;
        }
    return nullptr;
}

// Each CPU's idle thread: halts, without the kernel-mode lock, until an interrupt — its
// own timer, a device, or the wake IPI of a CPU that made a thread runnable.
void idle_loop(void*)
{
    for (;;) {
        kernel_mode_lock_release();
        cpu::wait_for_interrupt();
        cpu::disable_interrupts();
        kernel_mode_lock_acquire();
        if (!g_run_queue.is_empty())
            yield();
    }
}

// `thread` just became runnable: if this CPU is busy (or may not run it) and another one
// that may idles, wake that one so it takes the thread now rather than at its next tick.
void wake_an_idle_cpu(Thread const& thread)
{
    if (is_idle(current()) && (thread.allowed_cpus & this_cpu_bit()))
        return; // this CPU takes it when the interrupt or call it is in ends
    for (u32 i = 0; i < cpus_online(); ++i) {
        PerCpu& cpu = per_cpu(i);
        if (cpu.current && cpu.current == g_cpus[i].idle && (thread.allowed_cpus & (1u << i))) {
            local_apic_send_ipi(cpu.apic_id, IPI_WAKE_VECTOR);
            return;
        }
    }
}

u64 tick_ns() { return this_cpu().index == 0 ? BOOT_CPU_TICK_NS : OTHER_CPUS_TICK_NS; }

// This CPU leaves its idle thread for `next`: its tick starts again.
void start_tick_for(Thread const& next)
{
    CpuScheduler& cpu = here();
    if (is_idle(&next) || cpu.next_tick_at != TICK_STOPPED)
        return;
    cpu.next_tick_at = monotonic_nanoseconds() + tick_ns();
    local_timer_request(cpu.next_tick_at);
}

// Loads the user-visible CPU state of `next`: its address space, TLS base and kernel stack.
void load_thread_context(Thread& next)
{
    set_kernel_entry_stack(next.kernel_stack_top());
    // A kernel thread, the idle loop, or a process that has let go of its address space
    // while exiting (it may still sleep, writing back dirty pages) touches only kernel
    // memory, mapped alike in every table: it borrows the table loaded last (Linux's lazy
    // TLB mode). Loading the kernel's own would drop the TLB now and again when a user
    // thread comes back. The borrowed table is still this CPU's loaded_pml4, so every
    // shootdown for it reaches this CPU, which then lets go of it; an address space about
    // to be freed asks every borrower first (tlb_shootdown.h). A thread of the address
    // space already loaded needs no load either.
    this_cpu().borrowing_address_space = !next.address_space;
    if (next.address_space && !next.address_space->page_table().is_loaded()) {
        next.address_space->page_table().activate();
        ++kernel_memory_context().stats.address_space_loads;
    }
    if (next.process()) {
        cpu::write_msr(cpu::MSR_FS_BASE, next.fs_base);
        set_user_rdtsc_faults(next.rdtsc_faults);
    }
    asm volatile("fxrstor %0" : : "m"(next.fpu_state));
}

// Picks the next thread and switches to it. Interrupts are off.
void switch_to_next()
{
    Thread* previous = current();
    Thread* next = take_next_for_this_cpu();
    if (!next)
        next = here().idle;
    if (next == previous) {
        previous->state = Thread::State::Running;
        return;
    }
    if (!previous->stack_canary_intact())
        PANIC("kernel stack overflow in thread %u (%s)", previous->tid(), previous->name());
    asm volatile("fxsave %0" : "=m"(previous->fpu_state));
    u64 now = monotonic_nanoseconds();
    previous->cpu_ns += now - previous->switched_in_at;
    if (previous->state == Thread::State::Running)
        previous->state = Thread::State::Runnable; // the idle thread: not on the run queue
    ++g_stats.context_switches;
    next->switched_in_at = now;
    next->state = Thread::State::Running;
    next->cpu = this_cpu().index;
    current() = next;
    start_tick_for(*next);
    load_thread_context(*next);
    switch_context(&previous->saved_rsp, next->saved_rsp);
    // Back on `previous`'s stack, possibly much later.
    scheduler_finish_switch();
}

}

// Runs on the new thread's stack right after every switch: frees a thread that exited.
extern "C" void scheduler_finish_switch()
{
    CpuScheduler& cpu = here();
    if (cpu.dead && cpu.dead != current()) {
        delete cpu.dead;
        cpu.dead = nullptr;
    }
}

Thread* current_thread() { return this_cpu_current(); }

void scheduler_set_cpu_tick_hook(void (*hook)(Thread&, bool)) { g_cpu_tick_hook = hook; }

CpuTimes thread_cpu_times(Thread const& thread)
{
    u64 total = thread.cpu_ns;
    if (thread.state == Thread::State::Running)
        total += monotonic_nanoseconds() - thread.switched_in_at;
    u64 ticks = u64(thread.user_ticks) + thread.system_ticks;
    if (thread.system_ticks == 0)
        return { total, 0 };
    u64 system = static_cast<u64>(static_cast<unsigned __int128>(total) * thread.system_ticks / ticks);
    return { total - system, system };
}

namespace {
void local_timer_interrupt(TrapFrame& frame);
void sample_load_average(DeadlineTimer&);
DeadlineTimer g_load_sampler { sample_load_average };

// Leaves the boot stack for good (its "thread" is a throwaway record never run again) and
// runs `first` on this CPU.
[[noreturn]] void run_first_thread(Thread& first)
{
    static u64 boot_rsp[MAX_CPUS];
    first.state = Thread::State::Running;
    first.cpu = this_cpu().index;
    first.switched_in_at = monotonic_nanoseconds();
    current() = &first;
    start_tick_for(first);
    load_thread_context(first);
    switch_context(&boot_rsp[this_cpu().index], first.saved_rsp);
    VERIFY_NOT_REACHED();
}

// Where every other CPU enters once scheduling starts (ap_start.h), with the kernel-mode
// lock: it begins in its idle thread, which looks at the run queue.
void enter_application_processor() { run_first_thread(*here().idle); }

}

void scheduler_initialize()
{
    for (u32 i = 0; i < cpus_online(); ++i) {
        g_cpus[i].idle = MUST(Thread::create_kernel("idle", idle_loop, nullptr));
        g_cpus[i].next_tick_at = TICK_STOPPED; // until the CPU runs its first thread
    }
    local_timer_set_handler(local_timer_interrupt);
    g_load_sampler.arm(monotonic_nanoseconds() + LOAD_SAMPLE_NS);
}

void scheduler_start()
{
    cpu::disable_interrupts();
    application_processors_start_scheduling(enter_application_processor);
    Thread* first = take_next_for_this_cpu();
    run_first_thread(first ? *first : *here().idle);
}

void scheduler_add(Thread& thread)
{
    cpu::InterruptsDisabled guard;
    thread.state = Thread::State::Runnable;
    g_run_queue.append(thread);
    if (current())
        wake_an_idle_cpu(thread);
}

// Sleeping lends the kernel lock out, unless the thread is waiting for the disk.
static bool should_lend_kernel_lock() { return current() && current()->keeps_kernel_lock == 0 && kernel_lock_held_by_current(); }

void yield()
{
    cpu::InterruptsDisabled guard;
    bool lend = should_lend_kernel_lock();
    if (lend)
        kernel_lock_release();
    if (!is_idle(current())) {
        current()->state = Thread::State::Runnable;
        g_run_queue.append(*current());
        if (!(current()->allowed_cpus & this_cpu_bit()))
            wake_an_idle_cpu(*current());
    }
    switch_to_next();
    if (lend)
        kernel_lock_acquire();
}

void block_current(SleepKind kind)
{
    cpu::InterruptsDisabled guard;
    bool lend = should_lend_kernel_lock();
    if (lend)
        kernel_lock_release();
    current()->state = Thread::State::Blocked;
    current()->sleep_kind = kind;
    if (kind == SleepKind::Uninterruptible)
        ++g_uninterruptible;
    switch_to_next();
    current()->sleep_kind = SleepKind::Uninterruptible;
    if (lend)
        kernel_lock_acquire();
}

void wake_up(Thread& thread)
{
    cpu::InterruptsDisabled guard;
    if (thread.state != Thread::State::Blocked)
        return;
    if (thread.sleep_kind == SleepKind::Uninterruptible)
        --g_uninterruptible;
    if (thread.scheduler_node.is_linked())
        IntrusiveList<Thread, &Thread::scheduler_node>::remove(thread);
    if (thread.sleep_node.is_linked())
        g_sleepers.remove(thread);
    thread.state = Thread::State::Runnable;
    g_run_queue.append(thread);
    wake_an_idle_cpu(thread);
}

u32 online_cpu_mask() { return cpus_online() >= 32 ? ~0u : (1u << cpus_online()) - 1; }

void set_allowed_cpus(Thread& thread, u32 mask)
{
    cpu::InterruptsDisabled guard;
    VERIFY(mask && !(mask & ~online_cpu_mask()));
    thread.allowed_cpus = mask;
    if (&thread == current() && !(mask & this_cpu_bit()))
        yield();
}

void kick(Thread& thread)
{
    if (thread.state == Thread::State::Running && thread.cpu != this_cpu().index)
        local_apic_send_ipi(per_cpu(thread.cpu).apic_id, IPI_WAKE_VECTOR);
}

bool sleep_until(u64 deadline_ns, SleepKind kind)
{
    cpu::InterruptsDisabled guard;
    Thread& self = *current();
    self.wake_at = deadline_ns;
    self.was_interrupted_by_timeout = false;
    g_sleepers.append(self);
    local_timer_cover(deadline_ns);
    block_current(kind); // wake_up() takes us off g_sleepers
    return self.was_interrupted_by_timeout;
}

void thread_exit_current_noreturn()
{
    cpu::disable_interrupts();
    if (kernel_lock_held_by_current())
        kernel_lock_release();
    VERIFY(!here().dead);
    current()->state = Thread::State::Dead;
    here().dead = current();
    // The dying thread may have been running on an address space about to be freed.
    activate_kernel_page_table();
    switch_to_next();
    VERIFY_NOT_REACHED();
}

extern "C" void thread_exit_current() { thread_exit_current_noreturn(); }

namespace {

u32 runnable_threads()
{
    u32 count = 0;
    for (u32 i = 0; i < cpus_online(); ++i)
        if (per_cpu(i).current && per_cpu(i).current != g_cpus[i].idle)
            ++count;
    for (Thread& thread : g_run_queue) {
        (void)thread;
        ++count;
    }
    return count;
}

// Every 5 s, as Linux's calc_global_load: each average decays towards the number of threads
// that run, wait to run, or sleep uninterruptibly. (A sample that comes late is taken once:
// the next one is 5 s after it.)
void sample_load_average(DeadlineTimer& sampler)
{
    u64 active = (runnable_threads() + g_uninterruptible) * LOAD_ONE;
    for (int i = 0; i < 3; ++i)
        g_stats.load[i] = (g_stats.load[i] * LOAD_DECAY[i] + active * (LOAD_ONE - LOAD_DECAY[i])) >> LOAD_SHIFT;
    sampler.arm(max(sampler.deadline(), monotonic_nanoseconds()) + LOAD_SAMPLE_NS);
}

void wake_due_sleepers(u64 now)
{
    deadline_timers_fire(now);
    for (Thread* thread = g_sleepers.first(); thread;) {
        Thread* next = g_sleepers.next(*thread);
        if (thread->wake_at <= now) {
            thread->was_interrupted_by_timeout = true;
            wake_up(*thread);
        }
        thread = next;
    }
}

// The earliest deadline of a sleeper or a DeadlineTimer (~0 if there is none).
u64 earliest_deadline()
{
    u64 earliest = deadline_timers_earliest();
    for (Thread& thread : g_sleepers)
        earliest = min(earliest, thread.wake_at);
    return earliest;
}

// Every CPU's tick: the CPU time of the thread it found, and the end of its time slice.
void account_and_preempt(TrapFrame& frame, u64 now)
{
    Thread* thread = current();
    CpuScheduler& cpu = here();
    if (frame.from_user())
        ++thread->user_ticks, ++cpu.user_ticks;
    else if (!is_idle(thread))
        ++thread->system_ticks, ++cpu.system_ticks;
    else
        ++cpu.idle_ticks;
    if (g_cpu_tick_hook && !is_idle(thread))
        g_cpu_tick_hook(*thread, frame.from_user());
    // Preempt only code that runs with interrupts enabled: it holds no kernel data.
    if (!(frame.rflags & RFLAGS_INTERRUPT_ENABLE))
        return;
    if (is_idle(thread)) {
        if (!g_run_queue.is_empty())
            yield();
        return;
    }
    // sched_setaffinity took this CPU away from it, or its time slice is over.
    bool slice_over = now - thread->switched_in_at >= SLICE_NS;
    if (!(thread->allowed_cpus & this_cpu_bit()) || (slice_over && !g_run_queue.is_empty()))
        yield();
}

// Every CPU's one-shot local timer (local_timer.h): the deadlines that are due, and the tick
// if it is time. What is still pending is asked for again before the tick may switch
// threads (and this handler continue only much later). A tick that finds the CPU idle is
// its last until a thread runs here again (start_tick_for).
void local_timer_interrupt(TrapFrame& frame)
{
    u64 now = monotonic_nanoseconds();
    local_timer_expired();
    wake_due_sleepers(now);
    local_timer_cover(earliest_deadline());
    CpuScheduler& cpu = here();
    bool tick = now >= cpu.next_tick_at;
    if (tick && is_idle(current()))
        cpu.next_tick_at = TICK_STOPPED;
    else if (tick)
        cpu.next_tick_at = max(cpu.next_tick_at + tick_ns(), now + tick_ns() / 2);
    local_timer_request(cpu.next_tick_at); // TICK_STOPPED asks for nothing
    if (tick)
        account_and_preempt(frame, now);
}

}

void offer_cpu()
{
    constexpr u64 LOOK_EVERY_NS = 1000000;
    static u64 last_look;
    cpu::InterruptsDisabled guard;
    u64 now = monotonic_nanoseconds();
    if (now - current()->switched_in_at < SLICE_NS || now - last_look < LOOK_EVERY_NS)
        return;
    last_look = now;
    // The kernel runs with interrupts off, so the ticks of this slice found it there and
    // woke no one: do what they would have.
    wake_due_sleepers(now);
    if (!g_run_queue.is_empty())
        yield();
}

SchedulerStats scheduler_stats()
{
    cpu::InterruptsDisabled guard;
    SchedulerStats stats = g_stats;
    stats.runnable = runnable_threads();
    stats.uninterruptible = g_uninterruptible;
    stats.idle_ns = stats.user_ticks = stats.system_ticks = stats.idle_ticks = 0;
    stats.cpu_count = cpus_online();
    for (u32 i = 0; i < stats.cpu_count; ++i) {
        CpuScheduler const& cpu = g_cpus[i];
        stats.cpus[i] = { cpu.user_ticks, cpu.system_ticks, cpu.idle_ticks, thread_cpu_times(*cpu.idle).total() };
        stats.idle_ns += stats.cpus[i].idle_ns;
        stats.user_ticks += cpu.user_ticks;
        stats.system_ticks += cpu.system_ticks;
        stats.idle_ticks += cpu.idle_ticks;
    }
    return stats;
}
