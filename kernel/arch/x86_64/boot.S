# Boot: from QEMU's PVH entry, in 32-bit protected mode, to long mode and main().
#
# Why PVH: QEMU's -kernel loads an ELF64 image directly only through the PVH entry
# (its multiboot loader refuses ELF64), so one `kernel` file is both what QEMU boots
# and what GDB reads symbols from, with no separate boot sector or flat binary. QEMU
# (its firmware's pvh option ROM) loads each segment at its physical address (the
# linker script's AT()), then jumps to the address in the Xen ELF note below in
# 32-bit protected mode with paging off, flat segments, and ebx = the physical
# address of struct hvm_start_info, which carries the memory map and the ACPI RSDP.
#
# Long mode needs paging, so this file builds nothing at run time: the boot page
# tables below are static. They map the first 4 GiB of physical memory three times:
# at 0 (identity, for the instructions that turn paging on, and for the APs'
# trampoline), at DMAP_BASE (the direct map that kinit() uses), and the first GiB at
# KERNBASE (where the kernel is linked). pmap_bootstrap() later builds the real
# kernel page table with 4 KiB pages, NX and global bits.
#
# The other CPUs start in real mode at AP_TRAMP (below 1 MiB, as SIPI requires) in a
# copy of ap_tramp, which goes straight to long mode on the same boot page tables.

#include "kern/param.h"
#include <machine/x86.h>
#include "arch/x86_64/x86_64.h"

#define KERNBASE   0xffffffff80000000
#define PA(x)      ((x) - KERNBASE)        /* physical address of a kernel symbol */
#define KCODE      SEL(SEG_KCODE, 0)
#define KDATA      SEL(SEG_KDATA, 0)
#define PTE_P      0x001
#define PTE_W      0x002
#define PTE_PS     0x080

# ---------------------------------------------------------------- the PVH note
# XEN_ELFNOTE_PHYS32_ENTRY (type 18), owner "Xen": the 32-bit physical entry point.
# QEMU reads the descriptor as 8 bytes for an ELF64 image.
        .section .note.Xen, "a"
        .balign 4
        .long 4                 # name size
        .long 8                 # descriptor size
        .long 18                # type: XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .balign 4
        .quad _start32

# ---------------------------------------------------------------- 32-bit entry
# Runs at its physical address (the .boot section is linked where it is loaded).
        .section .boot, "ax"
        .code32
        .globl _start32
_start32:
        cli
        cld
        # Clear .bss ourselves: the PVH loader need not.
        movl $PA(__bss_start), %edi
        movl $PA(end), %ecx
        subl %edi, %ecx
        xorl %eax, %eax
        rep stosb
        movl %ebx, PA(pvh_start_info)

        lgdt boot_gdtdesc
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $PA(boot_pml4), %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx
        rdmsr
        orl $(EFER_LME | EFER_NXE), %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP | CR0_PE), %eax
        movl %eax, %cr0
        # Paging is on and EFER.LMA is set; loading a 64-bit code segment enters
        # 64-bit mode. We are still at low (identity-mapped) addresses.
        ljmp $KCODE, $start64

        .code64
start64:
        movabsq $entry64, %rax
        jmp *%rax

# ---------------------------------------------------------------- AP trampoline
# Copied to AP_TRAMP (0x8000) by md_start_aps(), which fills in ap_cr3, ap_stack and
# ap_entry before each start-up IPI. The AP starts in real mode with cs = AP_TRAMP>>4,
# ip = 0; setting CR0.PE and CR0.PG together (with EFER.LME) takes it directly
# from real mode to long mode, and the far jump loads the 64-bit code segment.
#define T(x)     ((x) - ap_tramp_start)       /* offset in the trampoline */
        .code16
        .globl ap_tramp_start, ap_tramp_end, ap_cr3, ap_stack, ap_entry
ap_tramp_start:
        cli
        cld
        movw %cs, %ax
        movw %ax, %ds
        lgdtl T(ap_gdtdesc)
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl T(ap_cr3), %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx
        rdmsr
        orl $(EFER_LME | EFER_NXE), %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP | CR0_PE), %eax
        movl %eax, %cr0
        ljmpl $KCODE, $(AP_TRAMP + T(ap_start64))

        .code64
ap_start64:
        movw $KDATA, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movq AP_TRAMP + T(ap_stack), %rsp
        movq AP_TRAMP + T(ap_entry), %rax
        jmp *%rax

        .balign 8
ap_gdtdesc:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt
        .balign 8
ap_cr3:   .quad 0
ap_stack: .quad 0
ap_entry: .quad 0
ap_tramp_end:

# The boot GDT: null, kernel code (64-bit), kernel data, at the selectors machdep.c's
# per-CPU GDTs use too. The accessed bits are preset so the CPU never writes here.
        .balign 16
boot_gdt:
        .quad 0
        .quad 0x00af9b000000ffff        # KCODE: present, DPL 0, code, long mode
        .quad 0x00cf93000000ffff        # KDATA: present, DPL 0, data, writable
boot_gdt_end:
boot_gdtdesc:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt

# ---------------------------------------------------------------- 64-bit entry
# The CFI marks these as outermost frames, so that GDB's backtrace ends here.
        .cfi_sections .debug_frame
        .text
        .globl entry64
# The boot CPU, now at its linked (high) address.
entry64:
        .cfi_startproc
        .cfi_undefined rip
        movw $KDATA, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        leaq cpustacks + CPUSTACK(%rip), %rsp
        xorl %ebp, %ebp
        call x86_init           # machdep.c; calls main()
1:      hlt
        jmp 1b
        .cfi_endproc

# An AP, with ap_stack loaded.
        .globl ap_entry64
ap_entry64:
        .cfi_startproc
        .cfi_undefined rip
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        xorl %ebp, %ebp
        call ap_main            # machdep.c; calls mp_main()
1:      hlt
        jmp 1b
        .cfi_endproc

# ---------------------------------------------------------------- boot data
        .data
        .globl pvh_start_info
        .balign 8
pvh_start_info:
        .quad 0

# The boot page tables (see the top of the file): 2 MiB pages, present and writable.
        .balign 4096
        .globl boot_pml4
boot_pml4:
        .quad PA(boot_pdpt) + (PTE_P | PTE_W)            # 0: identity
        .fill 255, 8, 0
        .quad PA(boot_pdpt) + (PTE_P | PTE_W)            # 256: DMAP_BASE
        .fill 254, 8, 0
        .quad PA(boot_pdpt_hi) + (PTE_P | PTE_W)         # 511: KERNBASE
boot_pdpt:
        .quad PA(boot_pd) + 0 * 4096 + (PTE_P | PTE_W)
        .quad PA(boot_pd) + 1 * 4096 + (PTE_P | PTE_W)
        .quad PA(boot_pd) + 2 * 4096 + (PTE_P | PTE_W)
        .quad PA(boot_pd) + 3 * 4096 + (PTE_P | PTE_W)
        .fill 508, 8, 0
boot_pdpt_hi:
        .fill 510, 8, 0
        .quad PA(boot_pd) + (PTE_P | PTE_W)              # 510: KERNBASE -> 0
        .quad 0
boot_pd:                                                 # 2048 x 2 MiB = 4 GiB
        .set pa, 0
        .rept 2048
        .quad pa + (PTE_P | PTE_W | PTE_PS)
        .set pa, pa + 0x200000
        .endr

# Each CPU's boot stack, which stays its scheduler stack.
        .bss
        .balign 4096
        .globl cpustacks
cpustacks:
        .space CPUSTACK * NCPU
