# Every hart starts here in machine mode, at physical 0x80000000 (-bios none), with
# its id in a0 and the device tree's address in a1, paging off. The kernel is linked
# at KERNBASE (kernel.ld) but its code is position-independent (-mcmodel=medany), so
# it runs at its physical address until paging is on: give each hart a 4 KiB boot
# stack, let start() set up machine mode, then turn on paging with boot_pagetable and
# drop to supervisor mode at the virtual addresses: main() on hart 0, ap_entry() on
# the others.
        .section .text.entry
        .global _entry
_entry:
        la sp, boot_stack           # PC-relative: the physical address
        li t0, 4096
        csrr t1, mhartid
        addi t1, t1, 1
        mul t0, t0, t1
        add sp, sp, t0
        call start

        la t0, boot_pagetable
        srli t0, t0, 12
        li t1, 8 << 60              # Sv39
        or t0, t0, t1
        csrw satp, t0
        sfence.vma zero, zero

        # The link-time (virtual) address of _entry less its run-time (physical) one.
        ld t1, entry_va
        la t0, _entry
        sub t1, t1, t0
        add sp, sp, t1
        ld a0, main_va
        csrr t0, mhartid
        beqz t0, 1f
        ld a0, ap_entry_va
1:
        csrw mepc, a0
        mret                        # to supervisor mode (start() set mstatus.MPP)

        .section .rodata
        .balign 8
entry_va:       .quad _entry        # absolute: virtual addresses
main_va:        .quad main
ap_entry_va:    .quad ap_entry

# The page table every hart starts with, until pmap_bootstrap_cpu(): 1 GiB pages, the
# direct map of the first 16 GiB of physical addresses (the devices and RAM, for the
# device tree and vm_page_startup()) and the kernel image at KERNBASE.
# Each entry is V R W X G A D; its physical page number is pa >> 12, at bit 10.
#define BOOT_PTE(pa) (((pa) >> 2) | 0xef)
        .section .data
        .balign 4096
boot_pagetable:
        .zero 256 * 8               # the low half: user space
        .set pa, 0
        .rept 16                    # 256-271: DMAP_BASE
        .quad BOOT_PTE(pa)
        .set pa, pa + (1 << 30)
        .endr
        .zero (510 - 272) * 8
        .quad BOOT_PTE(0x80000000)  # 510: KERNBASE -> RAMBASE
        .quad 0

        .bss
        .align 12
        .global boot_stack
boot_stack:
        .space 4096 * 8
