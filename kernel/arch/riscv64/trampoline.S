# The trampoline: the one page of kernel code mapped at the same address (TRAMPOLINE)
# in the kernel's page table and in every user page table, so that it keeps running
# across the satp switch between the two.
#
# Each CPU has a trap page, mapped in every user page table at TRAPPAGES + cpu*4096;
# while the CPU runs user code, sscratch holds that page's user address. uservec saves
# the user registers there (struct trapframe layout, machine/frame.h) and usertrap()
# copies them into the process. A per-CPU page rather than a per-process one means two
# processes can share one page table (the upcall lab needs that).
#include <machine/vmparam.h>

        .section trampsec
        .globl trampoline
        .globl uservec
        .globl userret
trampoline:
        .align 4
uservec:
        # a0 <-> sscratch: a0 is now this CPU's trap page, sscratch the user's a0.
        csrrw a0, sscratch, a0

        sd ra, 40(a0)
        sd sp, 48(a0)
        sd gp, 56(a0)
        sd tp, 64(a0)
        sd t0, 72(a0)
        sd t1, 80(a0)
        sd t2, 88(a0)
        sd s0, 96(a0)
        sd s1, 104(a0)
        sd a1, 120(a0)
        sd a2, 128(a0)
        sd a3, 136(a0)
        sd a4, 144(a0)
        sd a5, 152(a0)
        sd a6, 160(a0)
        sd a7, 168(a0)
        sd s2, 176(a0)
        sd s3, 184(a0)
        sd s4, 192(a0)
        sd s5, 200(a0)
        sd s6, 208(a0)
        sd s7, 216(a0)
        sd s8, 224(a0)
        sd s9, 232(a0)
        sd s10, 240(a0)
        sd s11, 248(a0)
        sd t3, 256(a0)
        sd t4, 264(a0)
        sd t5, 272(a0)
        sd t6, 280(a0)
        csrr t0, sscratch
        sd t0, 112(a0)
        # Put the trap page back in sscratch for the kernel's use.
        csrw sscratch, a0

        ld sp, 8(a0)           # kernel_sp
        ld tp, 32(a0)          # kernel_hartid
        ld t0, 16(a0)          # kernel_trap: usertrap()
        ld t1, 0(a0)           # kernel_satp

        # Order earlier memory operations before the switch, and flush stale
        # user entries from the TLB after it.
        sfence.vma zero, zero
        csrw satp, t1
        sfence.vma zero, zero
        jr t0

# userret(trap page user address, user satp): switch to the user page table, load
# the user registers from the trap page, and sret to the user pc in sepc.
userret:
        sfence.vma zero, zero
        csrw satp, a1
        sfence.vma zero, zero

        csrw sscratch, a0
        ld ra, 40(a0)
        ld sp, 48(a0)
        ld gp, 56(a0)
        ld tp, 64(a0)
        ld t0, 72(a0)
        ld t1, 80(a0)
        ld t2, 88(a0)
        ld s0, 96(a0)
        ld s1, 104(a0)
        ld a1, 120(a0)
        ld a2, 128(a0)
        ld a3, 136(a0)
        ld a4, 144(a0)
        ld a5, 152(a0)
        ld a6, 160(a0)
        ld a7, 168(a0)
        ld s2, 176(a0)
        ld s3, 184(a0)
        ld s4, 192(a0)
        ld s5, 200(a0)
        ld s6, 208(a0)
        ld s7, 216(a0)
        ld s8, 224(a0)
        ld s9, 232(a0)
        ld s10, 240(a0)
        ld s11, 248(a0)
        ld t3, 256(a0)
        ld t4, 264(a0)
        ld t5, 272(a0)
        ld t6, 280(a0)
        ld a0, 112(a0)
        sret
