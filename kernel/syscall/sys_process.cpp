// System calls about the calling process: identity, exit, TLS, limits, signal bookkeeping.
#include "handlers.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/time_stamp_access.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/random.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/scheduler.h"

#include "kernel/proc/shutdown.h"

Result<i64> sys_exit_group(int code) { current_process().exit(wait_status_exited(code)); }

Result<i64> sys_getpid() { return current_process().pid(); }
Result<i64> sys_getppid()
{
    Process* parent = current_process().parent();
    return parent ? parent->pid() : 0;
}

Result<i64> sys_arch_prctl(int code, u64 address)
{
    constexpr int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    Thread& thread = *current_thread();
    switch (code) {
    case ARCH_SET_FS:
        if (address >= (1ull << 47))
            return Errno::NotPermitted;
        thread.fs_base = address;
        cpu::write_msr(cpu::MSR_FS_BASE, address);
        return 0;
    case ARCH_GET_FS:
        TRY(write_user<u64>(address, thread.fs_base));
        return 0;
    case ARCH_SET_GS:
    case ARCH_GET_GS:
        return Errno::NoSys; // no program we run uses %gs; say so rather than half-work
    default:
        return Errno::Invalid;
    }
}

Result<i64> sys_prctl(int option, u64 argument2, u64, u64, u64)
{
    constexpr int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15,
                  PR_GET_NAME = 16, PR_GET_TSC = 25, PR_SET_TSC = 26, PR_SET_TIMERSLACK = 29, PR_GET_TIMERSLACK = 30,
                  PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;
    constexpr int PR_TSC_ENABLE = 1, PR_TSC_SIGSEGV = 2;
    Thread& thread = *current_thread();
    switch (option) {
    case PR_SET_NAME: {
        // Up to 15 bytes of the string; a longer one is cut, as Linux's is.
        char name[COMMAND_NAME_MAX + 1] {};
        for (usize i = 0; i < COMMAND_NAME_MAX; ++i)
            if ((name[i] = TRY(read_user<char>(argument2 + i))) == '\0')
                break;
        thread.set_name(name, COMMAND_NAME_MAX);
        return 0;
    }
    case PR_GET_NAME: {
        char name[COMMAND_NAME_MAX + 1] {};
        memcpy(name, thread.name(), strlen(thread.name()));
        TRY(copy_to_user(user_space(), argument2, name, sizeof name));
        return 0;
    }
    case PR_SET_PDEATHSIG:
        if (argument2 > 64)
            return Errno::Invalid;
        current_process().parent_death_signal = static_cast<int>(argument2);
        return 0;
    case PR_GET_PDEATHSIG:
        TRY(write_user<int>(argument2, current_process().parent_death_signal));
        return 0;
    case PR_SET_CHILD_SUBREAPER:
        current_process().child_subreaper = argument2 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER:
        TRY(write_user<int>(argument2, current_process().child_subreaper ? 1 : 0));
        return 0;
    case PR_SET_TIMERSLACK: // 0 restores the slack the thread started with
        thread.timer_slack_ns = argument2 == 0 ? thread.default_timer_slack_ns : argument2;
        return 0;
    case PR_GET_TIMERSLACK:
        return static_cast<i64>(thread.timer_slack_ns);
    case PR_GET_TSC:
        TRY(write_user<int>(argument2, thread.rdtsc_faults ? PR_TSC_SIGSEGV : PR_TSC_ENABLE));
        return 0;
    case PR_SET_TSC:
        if (argument2 != PR_TSC_ENABLE && argument2 != PR_TSC_SIGSEGV)
            return Errno::Invalid;
        thread.rdtsc_faults = argument2 == PR_TSC_SIGSEGV;
        set_user_rdtsc_faults(thread.rdtsc_faults); // now, not at the next switch
        return 0;
    case PR_GET_DUMPABLE:
        return current_process().dumpable ? 1 : 0;
    case PR_SET_DUMPABLE:
        if (argument2 > 1)
            return Errno::Invalid; // 2 (SUID_DUMP_ROOT) is not for prctl, as on Linux
        current_process().dumpable = argument2 == 1;
        return 0;
    default:
        klog("pid %u: prctl option %d is not supported: EINVAL", current_process().pid(), option);
        return Errno::Invalid;
    }
}

// personality(2): 0xffffffff asks; anything else sets it and returns the old value. Pagoda
// runs only Linux's own persona (PER_LINUX), and of the flags only those it honours:
// UNAME26 (uname's release) and ADDR_NO_RANDOMIZE (the next execve's layout). Others:
// EINVAL and a line (Linux accepts any value).
Result<i64> sys_personality(u64 argument)
{
    u32 persona = static_cast<u32>(argument); // Linux takes an unsigned int
    Process& process = current_process();
    u32 old = process.personality;
    if (persona == 0xffffffff)
        return old;
    if (persona & ~(UNAME26 | ADDR_NO_RANDOMIZE)) {
        klog("pid %u: personality %#x is not supported (only PER_LINUX, UNAME26, ADDR_NO_RANDOMIZE): EINVAL", process.pid(),
            persona);
        return Errno::Invalid;
    }
    process.personality = persona;
    return old;
}

Result<i64> sys_uname(UserAddress buffer)
{
    struct Utsname {
        char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
    } name {};
    auto set = [](char* field, char const* text) { memcpy(field, text, strlen(text) + 1); };
    set(name.sysname, "Pagoda");
    set(name.nodename, "pagoda");
    // UNAME26: a 2.6 release for programs that cannot parse newer ones, as Linux's
    // override_release makes it: 2.6.(60 + the minor version), then the rest ("-pagoda").
    set(name.release, current_process().personality & UNAME26 ? "2.6.61-pagoda" : "6.1.0-pagoda");
    set(name.version, "#1 Pagoda teaching kernel");
    set(name.machine, "x86_64");
    set(name.domainname, "(none)");
    TRY(write_user(buffer, name));
    return 0;
}

Result<i64> sys_rt_sigaction(int signal, UserAddress action, UserAddress old_action, u64 size)
{
    if (signal < 1 || signal > SIGNAL_COUNT || size != 8)
        return Errno::Invalid;
    SignalAction& slot = current_process().signal_actions[signal - 1];
    if (old_action)
        TRY(write_user(old_action, slot));
    if (action) {
        if (signal == SIGKILL || signal == 19 /* SIGSTOP */)
            return Errno::Invalid;
        slot = TRY(read_user<SignalAction>(action));
    }
    return 0;
}

// Sleeps until a signal runs a handler or ends the process; a signal that only stops and
// continues it lets it sleep on (ERESTARTNOHAND). Nothing else wakes it.
Result<i64> sys_pause()
{
    WaitQueue nobody_wakes;
    while (nobody_wakes.wait_interruptible() != WaitResult::Interrupted) { }
    return Errno::RestartNoHand;
}

Result<i64> sys_rt_sigreturn() { return return_from_signal_handler(current_thread()->user_frame()); }

Result<i64> sys_rt_sigprocmask(int how, UserAddress set, UserAddress old_set, u64 size)
{
    constexpr int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    if (size != 8)
        return Errno::Invalid;
    Thread& thread = *current_thread(); // each thread has its own mask
    if (old_set)
        TRY(write_user(old_set, thread.signal_mask));
    if (set) {
        u64 mask = TRY(read_user<u64>(set));
        switch (how) {
        case SIG_BLOCK:
            mask |= thread.signal_mask;
            break;
        case SIG_UNBLOCK:
            mask = thread.signal_mask & ~mask;
            break;
        case SIG_SETMASK:
            break;
        default:
            return Errno::Invalid;
        }
        // SIGKILL and SIGSTOP stay unblocked; a process-directed signal this thread now
        // blocks may wake another one instead.
        set_signal_mask(mask);
    }
    return 0;
}

Result<i64> sys_sched_yield()
{
    yield();
    return 0;
}

namespace {

// An affinity mask is as many longs as the kernel's CPUs need (MAX_CPUS: one), a bit per CPU.
constexpr u64 CPU_MASK_BYTES = (MAX_CPUS + 63) / 64 * 8;

// pid 0: the calling thread; else any thread by its id, as Linux's (a tid, not a tgid).
Result<Thread*> affinity_target(int pid)
{
    if (pid < 0)
        return Errno::NoProcess;
    if (pid == 0)
        return current_thread();
    Process* owner;
    Thread* thread = find_any_thread(static_cast<u32>(pid), &owner);
    if (!thread)
        return Errno::NoProcess;
    return thread;
}

}

Result<i64> sys_sched_getaffinity(int pid, u64 length, UserAddress mask)
{
    if (length * 8 < MAX_CPUS || (length & 7))
        return Errno::Invalid;
    Thread* thread = TRY(affinity_target(pid));
    u64 cpus[CPU_MASK_BYTES / 8] = { thread->allowed_cpus & online_cpu_mask() };
    u64 size = min(length, CPU_MASK_BYTES);
    TRY(copy_to_user(user_space(), mask, cpus, size));
    return static_cast<i64>(size);
}

// The thread then runs only on the online CPUs of the mask (none of them: EINVAL).
Result<i64> sys_sched_setaffinity(int pid, u64 length, UserAddress mask)
{
    u64 cpus[CPU_MASK_BYTES / 8] = {};
    TRY(copy_from_user(user_space(), cpus, mask, min(length, CPU_MASK_BYTES)));
    Thread* thread = TRY(affinity_target(pid));
    u32 allowed = static_cast<u32>(cpus[0]) & online_cpu_mask();
    if (!allowed)
        return Errno::Invalid;
    set_allowed_cpus(*thread, allowed);
    return 0;
}

Result<i64> sys_getrandom(UserAddress buffer, u64 length, u32 flags)
{
    constexpr u32 GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return Errno::Invalid;
    length = min<u64>(length, 33554431); // Linux returns at most this much per call
    u8 chunk[256];
    for (u64 done = 0; done < length; done += sizeof chunk) {
        usize n = min<u64>(sizeof chunk, length - done);
        random_fill(chunk, n);
        TRY(copy_to_user(user_space(), buffer + done, chunk, n));
    }
    return static_cast<i64>(length);
}

Result<i64> sys_reboot(u32 magic1, u32 magic2, u32 command, UserAddress)
{
    constexpr u32 MAGIC1 = 0xfee1dead, MAGIC2_VALUES[] = { 672274793, 85072278, 369367448, 537993216 };
    constexpr u32 CMD_POWER_OFF = 0x4321fedc, CMD_HALT = 0xcdef0123, CMD_RESTART = 0x01234567;
    bool magic_ok = magic1 == MAGIC1;
    bool second_ok = false;
    for (u32 value : MAGIC2_VALUES)
        second_ok |= magic2 == value;
    if (!current_process().credentials.is_privileged())
        return Errno::NotPermitted; // CAP_SYS_BOOT, checked first as Linux does
    if (!magic_ok || !second_ok)
        return Errno::Invalid;
    if (command == CMD_POWER_OFF || command == CMD_HALT || command == CMD_RESTART)
        shutdown_machine();
    return Errno::Invalid;
}

Result<i64> sys_sysinfo(UserAddress buffer)
{
    // struct sysinfo (x86_64): 112 bytes; memory in units of mem_unit bytes.
    struct {
        i64 uptime;
        u64 loads[3];
        u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        u16 procs, pad;
        u32 pad2;
        u64 totalhigh, freehigh;
        u32 mem_unit;
        char reserved[4];
    } info {};
    static_assert(sizeof(info) == 112);
    FrameAllocator& frames = kernel_memory_context().frames;
    info.uptime = static_cast<i64>(monotonic_nanoseconds() / 1000000000);
    info.totalram = frames.total_frames();
    info.freeram = frames.free_frames();
    info.bufferram = kernel_memory_context().stats.page_cache_pages;
    u16 processes = 0;
    for_each_process([&](Process&) { ++processes; });
    info.procs = processes;
    info.mem_unit = PAGE_SIZE;
    TRY(write_user(buffer, info));
    return 0;
}

// getcpu: the CPU and NUMA node the caller runs on: there is one of each, numbered 0.
Result<i64> sys_getcpu(UserAddress cpu, UserAddress node, UserAddress)
{
    if (cpu)
        TRY(write_user<u32>(cpu, this_cpu().index));
    if (node)
        TRY(write_user<u32>(node, 0));
    return 0;
}
