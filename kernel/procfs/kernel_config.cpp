#include "kernel_config.h"
#include "kernel/lib/gzip_stored.h"
#include "kernel/lib/memory.h"
#include <new>

namespace {

// One line per option, in Linux's .config syntax. An option is "y" only when the Pagoda code
// named in its comment gives its behaviour; a program that asks about the others (LTP's
// needs_kconfigs) is told, truthfully, that they are absent. Grouped as Linux's menus are.
// Keep this list true when a feature comes or goes.
char const* const CONFIG_LINES[] = {
    "#",
    "# Pagoda 6.1.0-pagoda: the Linux options whose behaviour this kernel has",
    "#",
    // --- the machine
    "CONFIG_64BIT=y", // kernel/arch/x86_64: long mode only
    "CONFIG_X86_64=y",
    "CONFIG_X86=y",
    "CONFIG_MMU=y", // kernel/mm: paging, demand faults, copy-on-write
    "CONFIG_PGTABLE_LEVELS=4", // arch/x86_64/page_table: four-level page tables (no LA57)
    "# CONFIG_X86_5LEVEL is not set",
    "CONFIG_SMP=y", // arch/x86_64/ap_start: the application processors run user code
    "CONFIG_NR_CPUS=8", // acpi_madt.h MAX_CPUS
    "CONFIG_HZ_1000=y", // arch/x86_64/timer.h TIMER_HZ
    "CONFIG_HZ=1000",
    "CONFIG_HIGH_RES_TIMERS=y", // sched/timer_requests: one-shot timers, 1 ns clock_getres
    "# CONFIG_IA32_EMULATION is not set", // no int 0x80 or 32-bit system calls
    "# CONFIG_X86_X32_ABI is not set",
    "# CONFIG_NUMA is not set", // one memory node
    "# CONFIG_MODULES is not set", // everything is built in; nothing loads
    // --- general setup
    "CONFIG_MULTIUSER=y", // lib/credentials: uids, gids, supplementary groups
    "CONFIG_SYSVIPC=y", // proc/shm_segment: System V shared memory (semget, msgget are not there)
    "# CONFIG_POSIX_MQUEUE is not set",
    "CONFIG_POSIX_TIMERS=y", // proc/posix_timer: timer_create and the CPU-time clocks
    "CONFIG_PRINTK=y", // kernel/log: the kernel log syslog(2) reads
    "CONFIG_FUTEX=y", // proc/futex: private, shared, PI and robust futexes, futex_waitv
    "CONFIG_EPOLL=y", // fs/epoll
    "# CONFIG_SIGNALFD is not set",
    "# CONFIG_TIMERFD is not set",
    "# CONFIG_EVENTFD is not set",
    "CONFIG_SHMEM=y", // fs/tmpfs, shared anonymous memory and memfd
    "CONFIG_MEMFD_CREATE=y", // fs/memfd, with file seals (fs/file_seals)
    "# CONFIG_AIO is not set",
    "# CONFIG_IO_URING is not set",
    "CONFIG_ADVISE_SYSCALLS=y", // madvise and fadvise64
    "# CONFIG_MEMBARRIER is not set",
    "# CONFIG_KCMP is not set",
    "# CONFIG_RSEQ is not set",
    "# CONFIG_BSD_PROCESS_ACCT is not set",
    "# CONFIG_CHECKPOINT_RESTORE is not set", // of its parts only shm_next_id is there
    "# CONFIG_CGROUPS is not set",
    "# CONFIG_MEMCG is not set",
    "# CONFIG_NAMESPACES is not set", // one of each: no unshare, no CLONE_NEW* flags
    "# CONFIG_UTS_NS is not set",
    "# CONFIG_TIME_NS is not set",
    "# CONFIG_IPC_NS is not set",
    "# CONFIG_USER_NS is not set",
    "# CONFIG_PID_NS is not set",
    "# CONFIG_NET_NS is not set",
    "# CONFIG_SECCOMP is not set",
    // --- executables
    "CONFIG_BINFMT_ELF=y", // proc/elf_loader: static and dynamic ELF64 programs
    "CONFIG_BINFMT_SCRIPT=y", // proc/script: #! interpreters
    "CONFIG_COREDUMP=y", // proc/core_dump: core_pattern, RLIMIT_CORE, WCOREDUMP
    "CONFIG_ELF_CORE=y", // ELF core files with NT_PRSTATUS and a PT_LOAD per mapping
    // --- memory management
    "# CONFIG_SWAP is not set", // memory is never paged out to a disk
    "# CONFIG_HUGETLBFS is not set",
    "# CONFIG_TRANSPARENT_HUGEPAGE is not set",
    "# CONFIG_KSM is not set",
    "# CONFIG_USERFAULTFD is not set",
    "# CONFIG_MEMORY_FAILURE is not set",
    "# CONFIG_HWPOISON_INJECT is not set",
    // --- devices
    "CONFIG_PCI=y", // dev/pci: finds the virtio disks
    "CONFIG_BLOCK=y",
    "CONFIG_VIRTIO_PCI=y",
    "CONFIG_VIRTIO_BLK=y", // dev/virtio_blk
    "CONFIG_BLK_DEV_INITRD=y", // fs/cpio_fs: the initramfs as root
    "CONFIG_BLK_DEV_LOOP=y", // fs/loop_device: /dev/loop-control, /dev/loop0..7
    "# CONFIG_BLK_DEV_RAM is not set",
    "CONFIG_TTY=y", // fs/console and its line discipline
    "CONFIG_SERIAL_8250=y", // dev/serial: the console is the PC's UART
    "CONFIG_SERIAL_8250_CONSOLE=y",
    "CONFIG_NET=y", // only for what CONFIG_UNIX needs: no network devices, no INET
    "CONFIG_UNIX=y", // fs/unix_socket: AF_UNIX stream, datagram and seqpacket sockets
    "# CONFIG_INET is not set",
    "# CONFIG_PACKET is not set",
    // --- file systems
    "CONFIG_EXT2_FS=y", // fs/ext2
    "# CONFIG_EXT4_FS is not set",
    "# CONFIG_XFS_FS is not set",
    "CONFIG_FILE_LOCKING=y", // fs/file_lock: flock, POSIX record locks, leases
    "# CONFIG_MANDATORY_FILE_LOCKING is not set",
    "# CONFIG_DNOTIFY is not set",
    "# CONFIG_INOTIFY_USER is not set",
    "# CONFIG_FANOTIFY is not set",
    "# CONFIG_QUOTA is not set",
    "# CONFIG_FS_VERITY is not set",
    "CONFIG_PROC_FS=y", // procfs
    "CONFIG_PROC_SYSCTL=y", // /proc/sys
    "CONFIG_PROC_PAGE_MONITOR=y", // /proc/<pid>/pagemap, smaps
    "CONFIG_IKCONFIG=y", // this file
    "CONFIG_IKCONFIG_PROC=y",
    "# CONFIG_SYSFS is not set",
    "CONFIG_TMPFS=y", // fs/tmpfs: /tmp and /dev/shm
    "# CONFIG_TMPFS_XATTR is not set",
    // --- debugging
    "# CONFIG_KASAN is not set",
    "# CONFIG_UBSAN is not set",
    "# CONFIG_LOCKDEP is not set",
    "# CONFIG_PROVE_LOCKING is not set",
    "# CONFIG_FAULT_INJECTION is not set",
};

}

void fill_kernel_config_text(TextBuilder& out)
{
    for (char const* line : CONFIG_LINES)
        out.append("%s\n", line);
}

void fill_config_gz(TextBuilder& out, Process&)
{
    // The text first, into a second buffer of the same size; then its gzip into `out`.
    char* text = new (std::nothrow) char[TEXT_CAPACITY];
    if (!text)
        return; // an empty file: zcat reports it, nothing is made up
    TextBuilder plain { text };
    fill_kernel_config_text(plain);
    out.length = gzip_stored(reinterpret_cast<u8 const*>(text), plain.length, reinterpret_cast<u8*>(out.text), TEXT_CAPACITY);
    delete[] text;
}
