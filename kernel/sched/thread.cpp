#include "thread.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/lib/memory.h"
#include "scheduler.h"
#include <new>

extern "C" void kernel_thread_trampoline();
extern "C" void user_thread_trampoline();

namespace {
u32 g_next_kernel_tid = Thread::KERNEL_THREAD_IDS;
// fxsave image of a freshly initialized FPU (fninit, default MXCSR), copied into new threads.
alignas(16) u8 g_initial_fpu_state[512];
bool g_initial_fpu_state_ready;

void capture_initial_fpu_state()
{
    u32 mxcsr = 0x1F80;
    asm volatile("fninit; ldmxcsr %1; fxsave %0" : "=m"(g_initial_fpu_state) : "m"(mxcsr));
    g_initial_fpu_state_ready = true;
}

// Lays out the top of a new kernel stack so that switch_context "returns" into `entry`
// with r12 = a, r13 = b (see interrupts.S).
u64 prepare_switch_frame(u64 stack_pointer, void (*entry)(), u64 a, u64 b)
{
    auto* sp = reinterpret_cast<u64*>(stack_pointer);
    *--sp = reinterpret_cast<u64>(entry); // return address of switch_context
    *--sp = 0; // rbx
    *--sp = 0; // rbp
    *--sp = a; // r12
    *--sp = b; // r13
    *--sp = 0; // r14
    *--sp = 0; // r15
    return reinterpret_cast<u64>(sp);
}
}

Thread::Thread(char const* name, u32 tid, Process* process) : m_tid(tid), m_process(process)
{
    set_name(name, sizeof m_name - 1);
    if (!g_initial_fpu_state_ready)
        capture_initial_fpu_state();
    memcpy(fpu_state, g_initial_fpu_state, sizeof fpu_state);
}

void Thread::set_name(char const* name, usize max_length)
{
    usize i = 0;
    for (; name[i] && i < max_length && i + 1 < sizeof m_name; ++i)
        m_name[i] = name[i];
    m_name[i] = '\0';
}

Thread::~Thread()
{
    if (m_kernel_stack)
        free_kernel_stack(m_kernel_stack);
}

namespace {
constexpr u64 STACK_CANARY = 0x5374616B43616E61; // "StakCana"
}

bool Thread::stack_canary_intact() const
{
    return !m_kernel_stack || *reinterpret_cast<u64 const*>(m_kernel_stack) == STACK_CANARY;
}

Result<void> Thread::allocate_stack()
{
    m_kernel_stack = TRY(allocate_kernel_stack(KERNEL_STACK_SIZE));
    *reinterpret_cast<u64*>(m_kernel_stack) = STACK_CANARY;
    m_kernel_stack_top = reinterpret_cast<u64>(m_kernel_stack + KERNEL_STACK_SIZE);
    return {};
}

void Thread::interrupt(bool fatal)
{
    m_interrupt_pending = true;
    m_fatal_interrupt_pending = m_fatal_interrupt_pending || fatal;
    if (state == State::Running)
        kick(*this); // in user mode on another CPU: make it enter the kernel and notice
    if (state != State::Blocked)
        return;
    if (sleep_kind == SleepKind::Interruptible || (sleep_kind == SleepKind::Killable && m_fatal_interrupt_pending))
        wake_up(*this);
}

Result<Thread*> Thread::create_kernel(char const* name, void (*entry)(void*), void* argument)
{
    auto* thread = new (std::nothrow) Thread(name, g_next_kernel_tid++, nullptr);
    if (!thread)
        return Errno::NoMemory;
    if (auto result = thread->allocate_stack(); result.is_error()) {
        delete thread;
        return result.error();
    }
    thread->saved_rsp = prepare_switch_frame(
        thread->m_kernel_stack_top, kernel_thread_trampoline, reinterpret_cast<u64>(entry), reinterpret_cast<u64>(argument));
    return thread;
}

Result<Thread*> Thread::create_user(Process& process, u32 tid, TrapFrame const& initial)
{
    auto* thread = new (std::nothrow) Thread("user", tid, &process);
    if (!thread)
        return Errno::NoMemory;
    if (auto result = thread->allocate_stack(); result.is_error()) {
        delete thread;
        return result.error();
    }
    thread->user_frame() = initial;
    u64 below_frame = thread->m_kernel_stack_top - sizeof(TrapFrame);
    thread->saved_rsp = prepare_switch_frame(below_frame, user_thread_trampoline, 0, 0);
    return thread;
}
