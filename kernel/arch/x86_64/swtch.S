# swtch(struct context *old, struct context *new): save the callee-saved registers in
# *old and load them from *new (machine/frame.h's layout). old's rip is swtch's return
# address and its rsp the stack as it will be after that return, so a later swtch to
# old resumes as if this call had returned; a new process's context is made the same
# way by md_proc_setup(), to "return" into forkret().
        .text
        .globl swtch
swtch:
        movq (%rsp), %rax
        movq %rax, 0(%rdi)
        leaq 8(%rsp), %rax
        movq %rax, 8(%rdi)
        movq %rbx, 16(%rdi)
        movq %rbp, 24(%rdi)
        movq %r12, 32(%rdi)
        movq %r13, 40(%rdi)
        movq %r14, 48(%rdi)
        movq %r15, 56(%rdi)

        movq 8(%rsi), %rsp
        movq 16(%rsi), %rbx
        movq 24(%rsi), %rbp
        movq 32(%rsi), %r12
        movq 40(%rsi), %r13
        movq 48(%rsi), %r14
        movq 56(%rsi), %r15
        jmp *0(%rsi)
