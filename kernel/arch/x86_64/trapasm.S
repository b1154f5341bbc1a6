# Trap entry and exit. The IDT sends vector n to trapvectors + 16*n, a stub that
# pushes an error code (0 where the CPU pushes none, so every frame has the same
# shape) and n, then joins alltraps, which pushes the general registers to complete
# a struct trapframe (machine/frame.h) and calls trap(tf).
#
# From user mode the CPU switches to the stack in the TSS (rsp0: the top of the
# process's kernel stack), so the frame is p->trapframe; from kernel mode it pushes
# on the current stack. Either way the CPU aligns rsp to 16 first, and the frame is
# 176 bytes, so trap() is called with the stack aligned as the ABI wants.
#include <machine/x86.h>

        .text
        .balign 16
        .globl trapvectors
trapvectors:
        .set vec, 0
        .rept 256
        .balign 16
        .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        # the CPU pushed an error code
        .else
        pushq $0
        .endif
        pushq $vec
        jmp alltraps
        .set vec, vec + 1
        .endr

# The CFI describes the frame to GDB, so that a backtrace from trap() goes on into
# the interrupted code (in user mode too, given its symbols: add-symbol-file).
        .cfi_sections .debug_frame
alltraps:
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        # Now rsp points to the struct trapframe, whose end (176 bytes up) is the CFA.
        .cfi_startproc simple
        .cfi_signal_frame
        .cfi_def_cfa rsp, 176
        .cfi_offset rip, -40
        .cfi_offset rsp, -16
        .cfi_offset rbp, -112
        .cfi_offset rbx, -72
        .cfi_offset r12, -152
        .cfi_offset r13, -160
        .cfi_offset r14, -168
        .cfi_offset r15, -176
        cld
        movq %rsp, %rdi
        call trap
        # trap() returns only for a trap from kernel mode; usertrapret() comes
        # to trapret_to with the process's trapframe.
        jmp trapret
        .cfi_endproc

# trapret_to(struct trapframe *tf): restore tf's registers and iretq into it.
        .globl trapret_to
trapret_to:
        movq %rdi, %rsp
trapret:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp          # trapno and err
        iretq
