/* Pagoda's first instructions. QEMU's multiboot loader enters here in 32-bit protected mode
 * with paging off (eax = multiboot magic, ebx = physical address of the multiboot info).
 * We build just enough page tables to enter long mode and jump to the higher-half kernel:
 *   identity map      0 .. 1 GiB  (so this code keeps running after paging is on)
 *   direct map        0xffff800000000000 + phys, first 1 GiB
 *   kernel image      0xffffffff80000000 + phys, first 1 GiB
 * kernel_main then builds the real tables (kernel/arch/x86_64/kernel_memory.cpp). */

#define KERNEL_VIRTUAL_BASE 0xffffffff80000000
#define MULTIBOOT_MAGIC 0x1BADB002
/* Flags: page-align modules, give us the memory map, use the load addresses below (bit 16). */
#define MULTIBOOT_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))

    .section .multiboot, "a"
    .align 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
    .long multiboot_header       /* header_addr (physical) */
    .long __image_start_physical /* load_addr */
    .long __load_end_physical    /* load_end_addr */
    .long __bss_end_physical     /* bss_end_addr: the loader zeroes up to here */
    .long boot_entry32           /* entry_addr */

    .section .boot.data, "aw"
    .align 4096
    .global boot_pml4 /* ap_start.S starts the other CPUs on these tables too */
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 512, 8, 0
boot_stack:     .fill 1024, 1, 0
boot_stack_top:

    .align 16
boot_gdt:
    .quad 0
    .quad 0x00209A0000000000 /* 0x08: 64-bit kernel code */
    .quad 0x0000920000000000 /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .section .boot.text, "ax"
    .code32
    .global boot_entry32
boot_entry32:
    cli
    mov $boot_stack_top, %esp
    mov %eax, %edi /* multiboot magic -> first argument of kernel_main */
    mov %ebx, %esi /* multiboot info  -> second argument */

    /* 512 large (2 MiB) pages covering the first GiB: present, writable, PS. */
    mov $boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    mov $boot_pd, %eax
    or $0x3, %eax
    mov %eax, boot_pdpt_low           /* PDPT[0]   -> 0 .. 1 GiB */
    mov %eax, boot_pdpt_high + 510*8  /* PDPT[510] -> 0xffffffff80000000 */
    mov $boot_pdpt_low, %eax
    or $0x3, %eax
    mov %eax, boot_pml4               /* PML4[0]   identity */
    mov %eax, boot_pml4 + 256*8       /* PML4[256] direct map */
    mov $boot_pdpt_high, %eax
    or $0x3, %eax
    mov %eax, boot_pml4 + 511*8       /* PML4[511] kernel image */

    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax                /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx             /* EFER */
    rdmsr
    or $((1 << 8) | (1 << 11) | (1 << 0)), %eax /* long mode, no-execute, syscall */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax /* paging, write-protect in ring 0 (COW relies on it) */
    mov %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $boot_entry64

    .code64
boot_entry64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half_entry, %rax
    jmp *%rax

    .text
higher_half_entry:
    movabs $kernel_boot_stack_top, %rsp
    xor %rbp, %rbp /* ends the backtrace */
    call kernel_main
2:  cli
    hlt
    jmp 2b

    .bss
    .align 16
    .global kernel_boot_stack_top
kernel_boot_stack:
    .skip 32768
kernel_boot_stack_top:

    .section .note.GNU-stack, "", @progbits
