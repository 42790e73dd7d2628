#include "ap_start.h"
#include "acpi_madt.h"
#include "cpu.h"
#include "cpu_features.h"
#include "gdt.h"
#include "idt.h"
#include "kernel/lib/log.h"
#include "kernel_memory.h"
#include "kernel_mode_lock.h"
#include "local_apic.h"
#include "per_cpu.h"
#include "timer.h"

// The trampoline's bytes (ap_start.S) and what its 64-bit part reads: set before each CPU
// is started, read by that CPU alone (the next is started only after it reported in).
extern "C" u8 const ap_trampoline_start[], ap_trampoline_end[];
extern "C" {
u64 ap_boot_page_table;
u64 ap_boot_stack_top;
u32 ap_boot_cpu_index;
}

namespace {

constexpr u64 AP_TRAMPOLINE_PHYSICAL = 0x8000; // the same as in ap_start.S
constexpr usize AP_IDLE_STACK_SIZE = 16 * KiB;
constexpr u64 REPORT_TIMEOUT_NS = 1000000000;

u32 g_cpus_online = 1; // written with atomics: the CPUs that have reported in
u32 g_reported_index; // the index of the last CPU to report in (0: none yet)
u64 g_wake_ipis_received; // by CPUs other than the boot CPU (atomic)
void (*g_scheduler_entry)(); // set once the boot CPU starts scheduling (atomic)

// Sends CPU `apic_id` a wake IPI and waits for it to count it: proof that IPIs, which TLB
// shootdown will need, reach the CPU and that it handles interrupts.
bool answers_ipi(u8 apic_id)
{
    u64 before = __atomic_load_n(&g_wake_ipis_received, __ATOMIC_ACQUIRE);
    local_apic_send_ipi(apic_id, IPI_WAKE_VECTOR);
    u64 deadline = monotonic_nanoseconds() + REPORT_TIMEOUT_NS;
    while (__atomic_load_n(&g_wake_ipis_received, __ATOMIC_ACQUIRE) == before)
        if (monotonic_nanoseconds() >= deadline)
            return false;
        else
            cpu::pause();
    return true;
}

}

extern "C" [[noreturn]] void ap_main(u32 cpu_index)
{
    gdt_initialize(cpu_index);
    per_cpu_initialize(cpu_index);
    idt_load();
    cpu_enable_features();
    local_apic_enable_this_cpu();
    klog("cpu %u: online (local APIC %u)", cpu_index, local_apic_id());
    __atomic_fetch_add(&g_cpus_online, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&g_reported_index, cpu_index, __ATOMIC_RELEASE);
    // Halt until the boot CPU starts scheduling, with interrupts on so that its wake IPI
    // (and the first one, answers_ipi's) reach us. The entry is looked at with interrupts
    // off: an IPI sent after the look stays pending until `sti; hlt` and ends the halt.
    for (;;) {
        cpu::disable_interrupts();
        if (void (*entry)() = __atomic_load_n(&g_scheduler_entry, __ATOMIC_ACQUIRE)) {
            kernel_mode_lock_acquire();
            entry();
            VERIFY_NOT_REACHED();
        }
        cpu::wait_for_interrupt();
    }
}

usize start_application_processors(MachineTopology const& topology)
{
    local_apic_calibrate_timer(); // every CPU's one-shot timer, the boot CPU's too
    if (topology.cpu_count <= 1)
        return 1;
    usize trampoline_size = ap_trampoline_end - ap_trampoline_start;
    auto* trampoline = static_cast<u8*>(physical_to_virtual(AP_TRAMPOLINE_PHYSICAL));
    for (usize i = 0; i < trampoline_size; ++i)
        trampoline[i] = ap_trampoline_start[i];

    u8 self = local_apic_id();
    u32 next_index = 1;
    for (usize i = 0; i < topology.cpu_count; ++i) {
        u8 apic_id = topology.cpu_apic_ids[i];
        if (apic_id == self)
            continue;
        auto stack = allocate_kernel_stack(AP_IDLE_STACK_SIZE);
        if (stack.is_error()) {
            klog("cpu: no memory for the stack of the CPU with local APIC %u; left out", apic_id);
            continue;
        }
        ap_boot_page_table = kernel_pml4_physical();
        ap_boot_stack_top = reinterpret_cast<u64>(stack.value() + AP_IDLE_STACK_SIZE);
        ap_boot_cpu_index = next_index;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        local_apic_start_cpu(apic_id, AP_TRAMPOLINE_PHYSICAL);
        u64 deadline = monotonic_nanoseconds() + REPORT_TIMEOUT_NS;
        while (__atomic_load_n(&g_reported_index, __ATOMIC_ACQUIRE) != next_index && monotonic_nanoseconds() < deadline)
            cpu::pause();
        if (__atomic_load_n(&g_reported_index, __ATOMIC_ACQUIRE) != next_index) {
            // It may still wake late and read the boot variables: starting another CPU could
            // hand both the same stack. Stop here (its stack stays allocated for it).
            klog("cpu: the CPU with local APIC %u did not report in; no further CPUs started", apic_id);
            break;
        }
        if (!answers_ipi(apic_id))
            klog("cpu %u: does not answer IPIs", next_index);
        ++next_index;
    }
    usize online = __atomic_load_n(&g_cpus_online, __ATOMIC_ACQUIRE);
    klog("cpu: %zu of %zu CPUs online, %lu answered a wake IPI", online, topology.cpu_count,
        __atomic_load_n(&g_wake_ipis_received, __ATOMIC_ACQUIRE));
    return online;
}

void application_processors_start_scheduling(void (*entry)())
{
    __atomic_store_n(&g_scheduler_entry, entry, __ATOMIC_RELEASE);
    for (u32 i = 1; i < cpus_online(); ++i)
        local_apic_send_ipi(per_cpu(i).apic_id, IPI_WAKE_VECTOR);
}

void ipi_wake_received() { __atomic_fetch_add(&g_wake_ipis_received, 1, __ATOMIC_RELEASE); }

usize cpus_online() { return __atomic_load_n(&g_cpus_online, __ATOMIC_ACQUIRE); }
