/* Where an application processor (every CPU but the boot one) begins. The boot CPU copies
 * the bytes between ap_trampoline_start and ap_trampoline_end to AP_TRAMPOLINE_PHYSICAL
 * (ap_start.cpp) and sends STARTUP IPIs naming that page: the CPU wakes there in 16-bit
 * real mode, CS = 0x0800, IP = 0. In one step it enters long mode with the boot page tables
 * of boot.S (they identity-map the first GiB, so this code keeps running, and map the kernel
 * image in the higher half), then jumps to ap_entry64 in the kernel proper, which loads the
 * kernel's page table and the stack the boot CPU set aside for this CPU. */

#define AP_TRAMPOLINE_PHYSICAL 0x8000
/* A label's address once the trampoline sits at AP_TRAMPOLINE_PHYSICAL. */
#define AT(label) (AP_TRAMPOLINE_PHYSICAL + (label) - ap_trampoline_start)

    .text
    .code16
    .global ap_trampoline_start
ap_trampoline_start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl AT(trampoline_gdt_pointer)
    mov $((1 << 5) | (1 << 7)), %eax  /* CR4: PAE, global pages */
    mov %eax, %cr4
    mov $boot_pml4, %eax              /* physical, below 4 GiB (boot.S) */
    mov %eax, %cr3
    mov $0xC0000080, %ecx             /* EFER: long mode, no-execute, syscall */
    rdmsr
    or $((1 << 8) | (1 << 11) | (1 << 0)), %eax
    wrmsr
    /* CR0: paging, write-protect in ring 0 (COW relies on it), protected mode; with EFER.LME
     * set this enters long mode directly (compatibility mode until the far jump). */
    mov $((1 << 31) | (1 << 16) | (1 << 0)), %eax
    mov %eax, %cr0
    ljmpl $0x08, $AT(trampoline_long_mode)

    .code64
trampoline_long_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $ap_entry64, %rax
    jmp *%rax

    .align 8
trampoline_gdt:
    .quad 0
    .quad 0x00209A0000000000 /* 0x08: 64-bit kernel code */
    .quad 0x0000920000000000 /* 0x10: kernel data */
trampoline_gdt_pointer:
    .word trampoline_gdt_pointer - trampoline_gdt - 1
    .long AT(trampoline_gdt)
    .global ap_trampoline_end
ap_trampoline_end:

/* In the kernel's higher half now, still on the boot page tables and without a stack. */
ap_entry64:
    mov ap_boot_page_table(%rip), %rax
    mov %rax, %cr3
    mov ap_boot_stack_top(%rip), %rsp
    xor %rbp, %rbp /* ends the backtrace */
    mov ap_boot_cpu_index(%rip), %edi
    call ap_main
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
