// The system-call dispatcher: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9,
// result (or -errno) back in rax. This is the one place an Errno becomes -errno.
#include "handlers.h"
#include "kernel/lib/log.h"
#include "kernel/mm/reclaim.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/kernel_lock.h"
#include <utility>

namespace {

template<typename... Params, usize... I>
i64 invoke(Result<i64> (*handler)(Params...), TrapFrame& frame, std::index_sequence<I...>)
{
    [[maybe_unused]] u64 const registers[6] = { frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9 };
    Result<i64> result = handler(static_cast<Params>(registers[I])...);
    return result.is_error() ? errno_to_syscall_return(result.error()) : result.value();
}

template<typename... Params> i64 invoke(Result<i64> (*handler)(Params...), TrapFrame& frame)
{
    return invoke(handler, frame, std::index_sequence_for<Params...> {});
}

using Dispatcher = i64 (*)(TrapFrame&);
constexpr usize TABLE_SIZE = 512;

struct SyscallTable {
    Dispatcher entries[TABLE_SIZE] {};
    constexpr SyscallTable()
    {
#define SYSCALL(number, name) entries[number] = [](TrapFrame& frame) { return invoke(sys_##name, frame); };
#include "syscalls.def"
#undef SYSCALL
    }
};
constexpr SyscallTable g_table;

char const* linux_syscall_name(u64 number)
{
    switch (number) {
#define LINUX_SYSCALL_NAME(number, name)                                                                                         \
    case number:                                                                                                                 \
        return name;
#include "linux_syscall_names.inc"
#undef LINUX_SYSCALL_NAME
    }
    return "unknown";
}

bool g_reported_missing[TABLE_SIZE];
bool g_reported_out_of_range;

}

extern "C" void syscall_dispatch(TrapFrame* frame)
{
    u64 number = frame->rax;
    kernel_lock_acquire();
    ++current_process().system_calls;
    reclaim_if_low(kernel_memory_context());
    if (number < TABLE_SIZE && g_table.entries[number]) {
        frame->rax = static_cast<u64>(g_table.entries[number](*frame));
        handle_pending_signals();
        kernel_lock_release();
        return;
    }
    // Logged once per number; all numbers past the table share one flag.
    bool& reported = number < TABLE_SIZE ? g_reported_missing[number] : g_reported_out_of_range;
    if (!reported) {
        reported = true;
        klog("pid %u: system call %lu (%s) is not implemented: ENOSYS", current_process().pid(), number,
            linux_syscall_name(number));
    }
    frame->rax = static_cast<u64>(errno_to_syscall_return(Errno::NoSys));
    handle_pending_signals();
    kernel_lock_release();
}
