# Traps from user mode: stvec points at uservec while a CPU runs user code (usertrapret
# sets it, usertrap puts kernelvec back), and sscratch holds the running process's
# p->trapframe, which sits at the top of its kernel stack.
#
# The kernel is mapped in every user page table (supervisor-only, see pmap.c), so
# nothing here switches page tables or flushes the TLB, and the user registers are
# saved once, straight into p->trapframe, as the x86-64 port saves them on its kernel
# stack: usertrap() and the system calls read them there.
        .text
        .globl uservec
        .globl user_sret
        .align 4
uservec:
        # a0 <-> sscratch: a0 is now p->trapframe, sscratch the user's a0.
        csrrw a0, sscratch, a0
        sd ra, 8(a0)
        sd sp, 16(a0)
        sd gp, 24(a0)
        sd tp, 32(a0)
        sd t0, 40(a0)
        sd t1, 48(a0)
        sd t2, 56(a0)
        sd s0, 64(a0)
        sd s1, 72(a0)
        sd a1, 88(a0)
        sd a2, 96(a0)
        sd a3, 104(a0)
        sd a4, 112(a0)
        sd a5, 120(a0)
        sd a6, 128(a0)
        sd a7, 136(a0)
        sd s2, 144(a0)
        sd s3, 152(a0)
        sd s4, 160(a0)
        sd s5, 168(a0)
        sd s6, 176(a0)
        sd s7, 184(a0)
        sd s8, 192(a0)
        sd s9, 200(a0)
        sd s10, 208(a0)
        sd s11, 216(a0)
        sd t3, 224(a0)
        sd t4, 232(a0)
        sd t5, 240(a0)
        sd t6, 248(a0)
        csrr t0, sscratch
        sd t0, 80(a0)

        # The kernel stack grows down from just below the trapframe; tp is this
        # CPU's id. A zero frame pointer ends backtrace()'s walk at usertrap().
        mv sp, a0
        ld tp, 256(a0)
        li s0, 0
        j usertrap

# user_sret(p->trapframe): load the user registers from it and sret to the user pc,
# which usertrapret() put in sepc along with sstatus and sscratch.
user_sret:
        ld ra, 8(a0)
        ld sp, 16(a0)
        ld gp, 24(a0)
        ld tp, 32(a0)
        ld t0, 40(a0)
        ld t1, 48(a0)
        ld t2, 56(a0)
        ld s0, 64(a0)
        ld s1, 72(a0)
        ld a1, 88(a0)
        ld a2, 96(a0)
        ld a3, 104(a0)
        ld a4, 112(a0)
        ld a5, 120(a0)
        ld a6, 128(a0)
        ld a7, 136(a0)
        ld s2, 144(a0)
        ld s3, 152(a0)
        ld s4, 160(a0)
        ld s5, 168(a0)
        ld s6, 176(a0)
        ld s7, 184(a0)
        ld s8, 192(a0)
        ld s9, 200(a0)
        ld s10, 208(a0)
        ld s11, 216(a0)
        ld t3, 224(a0)
        ld t4, 232(a0)
        ld t5, 240(a0)
        ld t6, 248(a0)
        ld a0, 80(a0)
        sret
