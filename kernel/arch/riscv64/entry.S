# Every hart starts here in machine mode, at 0x80000000 (-bios none), with its id in
# a0 and the device tree's address in a1. Give each hart a 4 KiB boot stack and go
# to start().
        .section .text.entry
        .global _entry
_entry:
        la sp, boot_stack
        li t0, 4096
        csrr t1, mhartid
        addi t1, t1, 1
        mul t0, t0, t1
        add sp, sp, t0
        call start
spin:
        j spin

        .bss
        .align 12
        .global boot_stack
boot_stack:
        .space 4096 * 8
