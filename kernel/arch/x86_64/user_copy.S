/* The kernel's loads and stores at user addresses: copies to and from user memory through
 * the MMU (kernel/mm/mmu_user_copy.h is the contract, user_copy.h the C++ side).
 *
 * Each routine touches user memory at exactly one instruction, listed with its fixup in the
 * exception table at the end. A page fault there, in kernel mode, is resolved by the trap
 * path like the user's own fault (resolve_user_copy_fault, user_copy.cpp); then the
 * instruction runs again — a `rep` string instruction stopped by a fault resumes where it
 * stopped, its registers say how far it got. A fault that cannot be resolved resumes at the
 * fixup instead, with the reason (an MmuCopyStop) in rax.
 *
 * Every routine keeps the count of bytes not yet done in rcx, and the AddressSpace* the
 * user addresses belong to in r8, where the trap path reads it. Returns an MmuCopyResult in
 * rax (bytes not done) and rdx (the stop). `rep movsb`/`rep stosb`, as memcpy and memset and
 * Linux's copy_user on ERMS CPUs use: see docs/benchmarks.md on how icount counts them. */

#define STOP_NONE 0
#define STOP_STRING_END 4

    .text

/* MmuCopyResult user_copy_bytes(void* to, void const* from, usize n, AddressSpace* space) */
    .global user_copy_bytes
user_copy_bytes:
    mov %rcx, %r8
    mov %rdx, %rcx
copy_access:
    rep movsb
    xor %eax, %eax
    xor %edx, %edx
    ret

/* MmuCopyResult user_zero_bytes(void* to, usize n, AddressSpace* space) */
    .global user_zero_bytes
user_zero_bytes:
    mov %rdx, %r8
    mov %rsi, %rcx
    xor %eax, %eax
zero_access:
    rep stosb
    xor %edx, %edx
    ret

/* MmuCopyResult user_copy_string(char* to, char const* from, usize n, AddressSpace* space):
 * bytes up to and including the first NUL, at most n. */
    .global user_copy_string
user_copy_string:
    mov %rcx, %r8
    mov %rdx, %rcx
    mov $STOP_NONE, %edx
    test %rcx, %rcx
    jz 2f
1:
string_access:
    movb (%rsi), %al
    movb %al, (%rdi)
    inc %rsi
    inc %rdi
    dec %rcx
    test %al, %al
    jz 3f
    test %rcx, %rcx
    jnz 1b
2:
    mov %rcx, %rax
    ret
3:
    mov $STOP_STRING_END, %edx
    mov %rcx, %rax
    ret

/* Where an unresolvable fault resumes: the trap path left the MmuCopyStop in rax. */
user_copy_fixup:
    mov %rax, %rdx
    mov %rcx, %rax
    ret

/* The exception table: (instruction that touches user memory, where to resume if its fault
 * cannot be resolved). */
    .section .rodata
    .align 8
    .global user_copy_exception_table, user_copy_exception_table_end
user_copy_exception_table:
    .quad copy_access, user_copy_fixup
    .quad zero_access, user_copy_fixup
    .quad string_access, user_copy_fixup
user_copy_exception_table_end:

    .section .note.GNU-stack, "", @progbits
