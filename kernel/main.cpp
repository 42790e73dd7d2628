// kernel_main: from the boot assembly to the first user program, in the order the pieces
// depend on each other. Each step is one call into the subsystem that owns it.
#include "arch/x86_64/acpi_madt.h"
#include "arch/x86_64/ap_start.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/kernel_memory.h"
#include "arch/x86_64/kernel_mode_lock.h"
#include "arch/x86_64/local_apic.h"
#include "arch/x86_64/lock_order_hooks.h"
#include "arch/x86_64/multiboot.h"
#include "arch/x86_64/per_cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/symbols.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/user_copy.h"
#include "arch/x86_64/x86_page_table.h"
#include "boot_options.h"
#include "dev/clock.h"
#include "dev/debug_exit.h"
#include "dev/virtio_blk.h"
#include "fs/block_devices.h"
#include "fs/console.h"
#include "fs/cpio_fs.h"
#include "fs/devfs.h"
#include "fs/ext2_mount.h"
#include "fs/flusher.h"
#include "fs/loop_device.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "init_arguments.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/profile.h"
#include "mm/memory_context.h"
#include "mm/page_cache.h"
#include "proc/cpu_timers.h"
#include "proc/exec.h"
#include "proc/exec_layout.h"
#include "proc/process.h"
#include "proc/shutdown.h"
#include "proc/terminal.h"
#include "proc/vdso.h"
#include "proc/vm_trace_process.h"
#include "procfs/procfs.h"
#include "runtime/heap.h"
#include "sched/kernel_lock.h"
#include "sched/scheduler.h"

void run_global_constructors();

namespace {

BootInfo g_boot_info;
BootOptions g_options;
VmStats g_vm_stats;

MemoryContext* g_memory_context;

// selftest=stack: unbounded recursion in a kernel thread, which must end in the guard page
// below its stack (a panic naming the overflow), not in whatever memory lies below.
u64 volatile g_recursion_limit = ~0ull; // volatile: the compiler cannot see the end coming

[[gnu::noinline]] u64 recurse(u64 depth)
{
    u8 volatile frame[512];
    frame[0] = static_cast<u8>(depth);
    if (depth == g_recursion_limit)
        return 0;
    return recurse(depth + 1) + frame[0];
}

void overflow_on_purpose(void*)
{
    klog("selftest: overflowing a kernel stack");
    recurse(0);
}

// selftest=fault: a kernel bug on demand, so tests can check the panic report end to end.
[[gnu::noinline]] void fault_on_purpose()
{
    klog("selftest: writing to an unmapped kernel address");
    *reinterpret_cast<u64 volatile*>(0xffff9000dead0000) = 1;
}

// selftest=verify: a kernel invariant broken on demand, so tests can check that its message
// names the source file relative to the repository (-fmacro-prefix-map, kernel/CMakeLists.txt).
[[gnu::noinline]] void verify_on_purpose(bool fail)
{
    klog("selftest: failing a VERIFY");
    VERIFY(!fail);
}

void set_up_memory_context()
{
    // Every frame through the direct map (kernel/arch/x86_64/kernel_memory.h).
    static PhysicalAccess physical(static_cast<u8*>(physical_to_virtual(0)), 0, kernel_frame_allocator().end_frame());
    static CpuMmu mmu;
    static PageCacheList backed_caches;
    FrameAllocator& frames = kernel_frame_allocator();
    static X86PageTableFactory page_tables({ frames, physical, g_vm_stats, mmu });
    FrameNumber zero_frame = MUST(create_zero_frame(frames, physical));
    g_memory_context = new MemoryContext {
        .frames = frames,
        .physical = physical,
        .page_tables = page_tables,
        .stats = g_vm_stats,
        .zero_frame = zero_frame,
        .fork_mode = g_options.eager_copy_fork ? ForkMode::EagerCopy : ForkMode::CopyOnWrite,
        .backed_caches = &backed_caches,
        .clock_ns = monotonic_nanoseconds,
        // The VM lock is the kernel lock; before the first thread runs, the boot context
        // is the only one there is.
        .vm_lock_held = kernel_lock_held_or_booting,
        .caller_dying = [] { return current_thread() && current_thread()->fatal_interrupt_pending(); },
        .offer_cpu = offer_cpu,
        .mmu_user_copy = &x86_mmu_user_copy(),
    };
    klog("fork mode: %s", g_options.eager_copy_fork ? "eager copy (fork=copy)" : "copy-on-write");
}

// Mounts an ext2 volume from virtio disk `index` at `where`; panics if it cannot, since the
// user asked for it.
void mount_disk(usize index, char const* where)
{
    BlockDevice* disk = virtio_blk_device(index);
    if (!disk)
        PANIC("no virtio disk %zu to mount at /%s", index, where);
    auto root = ext2_mount(*disk, where[0] ? where : "root");
    if (root.is_error())
        PANIC("disk %zu: cannot mount its ext2 volume at /%s: %s", index, where, errno_name(root.error()));
    static char const* const devices[] = { "/dev/vda", "/dev/vdb", "/dev/vdc", "/dev/vdd", "/dev/vde", "/dev/vdf" };
    MUST(vfs_mount(where, root.release_value(), { "ext2", index < 6 ? devices[index] : "/dev/vd?", false }));
    klog("disk %zu: ext2 mounted at /%s", index, where);
}

// The disks and the loop devices, by number, for their nodes in /dev and for mount(2).
void register_block_devices()
{
    static char const* const names[] = { "vda", "vdb", "vdc", "vdd" };
    for (usize i = 0; i < virtio_blk_count() && i < 4; ++i)
        MUST(register_block_device({ VIRTIO_BLOCK_MAJOR, static_cast<u32>(i * 16) }, *virtio_blk_device(i), names[i]));
    LoopDevice::create_all();
}

void mount_file_systems()
{
    usize next_disk = 0;
    if (g_options.root_on_disk) {
        mount_disk(next_disk++, "");
    } else {
        if (g_boot_info.module_count == 0)
            PANIC("no root file system: boot with -initrd ROOT.cpio or root=vda and a disk");
        auto const& root = g_boot_info.modules[0];
        auto root_inode = cpio_fs_mount(static_cast<u8 const*>(physical_to_virtual(root.start)), root.end - root.start);
        if (root_inode.is_error())
            PANIC("initramfs is not a valid newc cpio archive (%s)", errno_name(root_inode.error()));
        MUST(vfs_mount("", root_inode.release_value(), { "rootfs", "rootfs", true }));
        klog("root: initramfs (%lu KiB)", (root.end - root.start) / KiB);
    }
    MUST(vfs_mount("tmp", MUST(tmpfs_create_root()), { "tmpfs", "tmpfs", false }));
    MUST(vfs_mount("proc", MUST(procfs_create_root()), { "proc", "proc", false }));
    MUST(vfs_mount("dev", MUST(devfs_create_root()), { "devfs", "devfs", false }));
    MUST(vfs_mount("dev/shm", MUST(tmpfs_create_root()), { "tmpfs", "tmpfs", false }));
    // Every further disk: /mnt, /mnt1, /mnt2... in the order QEMU attached them.
    // (virtio_blk finds four disks at most.)
    static char const* const disk_mount_points[] = { "mnt", "mnt1", "mnt2", "mnt3" };
    for (usize n = 0; next_disk < virtio_blk_count() && n < sizeof disk_mount_points / sizeof *disk_mount_points; ++n)
        mount_disk(next_disk++, disk_mount_points[n]);
    // The symbol table for backtraces: the module after the initramfs, or the only one.
    usize map_module = g_options.root_on_disk ? 0 : 1;
    if (g_boot_info.module_count > map_module) {
        auto const& map = g_boot_info.modules[map_module];
        symbols_set_map(static_cast<char const*>(physical_to_virtual(map.start)), map.end - map.start);
    }
}

// The first program's argv: the args= file's strings, or init= and the words after "--".
// Loaded once at boot into `file` (which keeps them).
Result<StringList> first_program_arguments(StringFile& file, char const** from_command_line)
{
    if (g_options.args_file) {
        TRY(file.read(g_options.args_file));
        if (file.strings().count == 0)
            return Errno::Invalid; // argv[0] at least, as execve's callers give
        return file.strings();
    }
    from_command_line[0] = g_options.init_path;
    for (usize i = 0; i < g_options.init_arg_count; ++i)
        from_command_line[i + 1] = g_options.init_args[i];
    return StringList { from_command_line, g_options.init_arg_count + 1 };
}

void start_first_process()
{
    static char const* const default_environment[] = { "HOME=/", "TERM=linux", "PATH=/bin:/sbin:/usr/bin:/usr/sbin" };
    char const* command_line_argv[BootOptions::MAX_ARGS + 1];
    // Static: the strings must outlive this function, since the process keeps pointers to
    // none of them but its command line is set from them after exec.
    static StringFile argument_file;
    static StringFile environment_file;
    auto arguments = first_program_arguments(argument_file, command_line_argv);
    if (arguments.is_error()) {
        klog("cannot read the arguments file %s: %s", g_options.args_file, errno_name(arguments.error()));
        klog("init exited: status 127");
        debug_exit(DebugExitStatus::PowerOff);
    }
    StringList argv = arguments.value();
    StringList envp { default_environment, 3 };
    if (g_options.env_file) {
        if (auto read = environment_file.read(g_options.env_file); read.is_error()) {
            klog("cannot read the environment file %s: %s", g_options.env_file, errno_name(read.error()));
            klog("init exited: status 127");
            debug_exit(DebugExitStatus::PowerOff);
        }
        envp = environment_file.strings();
    }

    char path[256];
    if (normalize_path("", g_options.init_path, path, sizeof path).is_error())
        PANIC("init path too long");
    Process* init = MUST(Process::create_first());
    Thread* thread = MUST(Thread::create_user(*init, init->pid(), TrapFrame {}));
    init->add_thread(*thread);
    ExecStage reached;
    auto result = exec_program(*init, *thread, path, g_options.init_path, argv, envp, reached);
    if (result.is_error()) {
        klog("cannot run %s: %s", g_options.init_path, errno_name(result.error()));
        klog("init exited: status 127");
        debug_exit(DebugExitStatus::PowerOff);
    }
    init->set_command_line(argv.items, argv.count);
    VM_TRACE(trace_exec(*init));
    klog("starting %s as pid %u", g_options.init_path, init->pid());
    scheduler_add(*thread);
}

// The CPUs the firmware lists (ACPI MADT); each besides this one is started and idles.
void start_other_cpus()
{
    static MachineTopology topology;
    acpi_read_madt(topology);
    local_apic_map(topology.local_apic_physical);
    local_apic_enable_this_cpu();
    start_application_processors(topology);
}

}

MemoryContext& kernel_memory_context() { return *g_memory_context; }

extern "C" [[noreturn]] void kernel_main(u32 multiboot_magic, u32 multiboot_info)
{
    serial_initialize(SerialPort::Com1);
    serial_initialize(SerialPort::Com2);
    run_global_constructors();
    parse_multiboot(multiboot_magic, multiboot_info, g_boot_info);
    parse_boot_options(g_boot_info.command_line, g_options);
    klog_set_console_mirror(
        g_options.log_to_console || g_options.log_to_console_at_boot ? ConsoleMirror::Everything : ConsoleMirror::Off);
    klog("Pagoda booting");

    gdt_initialize(0);
    per_cpu_initialize(0);
    lock_order_checks_start();
    idt_initialize();
    kernel_mode_lock_acquire(); // boot: the other CPUs start later and wait for it
    cpu_enable_features();
    initialize_kernel_memory(g_boot_info);
    heap_initialize();
    set_up_memory_context();

    pic_initialize();
    timer_initialize();
    klog_set_clock(monotonic_nanoseconds);
    start_other_cpus();
    if (g_options.profile)
        profile_set_clock(monotonic_nanoseconds);
    realtime_clock_initialize();
    vdso_initialize();
    set_address_randomization(g_options.randomize_addresses);
    virtio_blk_probe();
    register_block_devices();
    mount_file_systems();
    console_initialize();

    if (g_options.stack_self_test)
        scheduler_add(*MUST(Thread::create_kernel("overflow", overflow_on_purpose, nullptr)));
    if (g_options.fault_self_test)
        fault_on_purpose();
    if (g_options.verify_self_test)
        verify_on_purpose(true);

    shutdown_set_report({ .vm_counters = g_options.print_stats, .profile = g_options.profile });
    scheduler_initialize();
    cpu_timers_initialize();
    terminal_initialize();
    flusher_start(g_options.flush_interval_seconds * 1000000000, g_options.dirty_age_seconds * 1000000000);
    if (g_options.trace_vm) {
        u64 records = g_options.trace_records ? g_options.trace_records : VM_TRACE_DEFAULT_RECORDS;
        if (vm_trace_switch_on(records).is_error())
            klog("trace=vm: no memory for %lu trace records", records);
        else
            klog("trace=vm: recording VM events (%lu records of 64 bytes)", records);
    }
    start_first_process();
    if (g_options.log_to_console_at_boot && !g_options.log_to_console) {
        klog("the rest of the kernel log goes to the log port (COM2) only; a panic comes here too");
        klog_set_console_mirror(ConsoleMirror::PanicsOnly);
    }
    scheduler_start();
}
