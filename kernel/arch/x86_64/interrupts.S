/* Every way into the kernel after boot: interrupt/exception stubs, the syscall instruction's
 * entry point, and the one way back out (return_from_trap). All build the same TrapFrame
 * (trap_frame.h) on the current thread's kernel stack and call into C++. */

#define SYSCALL_VECTOR 0x100
#define USER_DATA_SELECTOR (0x20 | 3)
#define USER_CODE_SELECTOR (0x28 | 3)

.macro SAVE_REGISTERS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro RESTORE_REGISTERS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/* Vectors for which the CPU pushes an error code itself. */
.macro TRAP_STUB vector
    .align 16
trap_stub_\vector:
    .if \vector == 8 || (\vector >= 10 && \vector <= 14) || \vector == 17 || \vector == 21 || \vector == 29 || \vector == 30
    .else
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

    .text
    .altmacro
.set vector, 0
.rept 64
    TRAP_STUB %vector
    .set vector, vector + 1
.endr

.macro STUB_ADDRESS vector
    .quad trap_stub_\vector
.endm
    .section .rodata
    .global trap_stub_table
trap_stub_table:
.set vector, 0
.rept 64
    STUB_ADDRESS %vector
    .set vector, vector + 1
.endr

    .text
trap_common:
    /* From user mode: GS base to this CPU's PerCpu (per_cpu.h). rsp -> vector, error, rip, cs. */
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  SAVE_REGISTERS
    /* The page-fault address, read before anything else can run: handling the trap may
     * sleep (the kernel lock, the disk), and another thread's fault would overwrite CR2. */
    mov %cr2, %rax
    push %rax
    push $0 /* padding: keeps rsp 16-byte aligned for the call */
    cld
    mov %rsp, %rdi
    call trap_dispatch
    /* fall through */

/* Pops a TrapFrame from the stack and returns to where it says (user or kernel). */
    .global return_from_trap
return_from_trap:
    add $16, %rsp /* padding, cr2 */
    RESTORE_REGISTERS
    add $16, %rsp /* vector and error code */
    /* Back to user mode: the user's GS base again. rsp -> rip, cs. */
    testb $3, 8(%rsp)
    jz 1f
    swapgs
1:  iretq

/* The syscall instruction: rcx = user rip, r11 = user rflags, rsp still the user's, and
 * FMASK has cleared IF (so nothing can interrupt us before the stack switch). swapgs makes
 * %gs this CPU's PerCpu (per_cpu.h): its scratch slot holds the user's rsp, and it knows the
 * current thread's kernel stack. */
#define PER_CPU_KERNEL_STACK_TOP 8
#define PER_CPU_USER_RSP 16
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:PER_CPU_USER_RSP
    mov %gs:PER_CPU_KERNEL_STACK_TOP, %rsp
    push $USER_DATA_SELECTOR
    push %gs:PER_CPU_USER_RSP
    push %r11
    push $USER_CODE_SELECTOR
    push %rcx
    push %rax /* error_code slot: the system call number, for restarting (signal.cpp) */
    push $SYSCALL_VECTOR
    SAVE_REGISTERS
    push $0 /* cr2 */
    push $0 /* padding */
    cld
    /* The kernel runs on one CPU at a time (kernel_mode_lock.h); given back just before
     * the return to user mode, where nothing but this thread's own stack is touched. */
    call kernel_mode_lock_acquire
    mov %rsp, %rdi
    call syscall_dispatch
    call kernel_mode_lock_release
    jmp return_from_trap

/* void switch_context(u64* save_rsp, u64 new_rsp): saves callee-saved registers on the
 * current stack, switches stacks, and restores the other thread's. */
    .global switch_context
switch_context:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* First code a new kernel thread runs: r12 = function, r13 = argument (prepared by
 * Thread creation as if switch_context had saved them). */
    .global kernel_thread_trampoline
kernel_thread_trampoline:
    call scheduler_finish_switch
    mov %r13, %rdi
    call *%r12
    call thread_exit_current
    ud2

/* First code a new user thread runs: a TrapFrame sits right above; leave through it,
 * giving back the kernel-mode lock the switch to it ran under. */
    .global user_thread_trampoline
user_thread_trampoline:
    call scheduler_finish_switch
    call kernel_mode_lock_release
    jmp return_from_trap

    .global load_gdt_and_segments
load_gdt_and_segments:
    lgdt (%rdi)
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    pop %rax
    push $0x08
    push %rax
    lretq

    .section .note.GNU-stack, "", @progbits
