// RISC-V Sv39 address-space layout. A virtual address has 39 bits, sign-extended to
// 64: the low half belongs to user space, the high half to the kernel.
//
//   0x0000000000000000 - 0x0000003fffff6000  user space
//   0xffffffc000000000 - ...                 the direct map: physical address pa at
//                                            PHYS_TO_DMAP(pa), devices and all of RAM
//   0xffffffff80000000 - ...                 the kernel image (KERNBASE: the image's
//                                            first byte, loaded at physical RAMBASE)
//
// Every user page table shares the kernel's top-level (1 GiB) entries for the high
// half, so the kernel is mapped in every address space, supervisor-only (no PTE_U),
// and a trap needs no page-table switch (see uservec.S). The kernel does not run at
// its physical addresses: RAM (from 0x80000000) and the devices (from
// 0x100000) lie inside user space, where programs are linked at 0x10000.
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#include "kern/param.h"

#define PAGE_SIZE   4096
#define PAGE_SHIFT  12

// One past the highest user address: the bottom of the sign-extension hole.
#define MAXVA       (1L << (9 + 9 + 9 + 12 - 1))

#define DMAP_BASE   0xffffffc000000000UL   // virtual address of physical 0 in the direct map
#define KERNBASE    0xffffffff80000000UL   // virtual address of the kernel image (kernel.ld)
#define RAMBASE     0x80000000UL           // its physical address: where RAM starts

// User space ends 40 KiB below MAXVA, where it ended when a trampoline page and
// eight per-CPU trap pages sat above it, before the kernel moved to the high half:
// the handouts' examples show these addresses (USRSTACK 0x3fffff6000). The pages
// above stay unmapped, a guard.
#define VM_MIN_USER_ADDRESS 0
#define VM_MAXUSER_ADDRESS  (MAXVA - 10 * PAGE_SIZE)
#define USRSTACK            VM_MAXUSER_ADDRESS
// How far below the user stack pointer code may touch memory: nothing, since the
// RISC-V psABI has no red zone. A touch below sp is a bad access, not stack growth
// (lab 4).
#define USER_STACK_REDZONE  0
#define VM_USER_TEXT        0x10000     // where user programs are linked (user/user.ld)

// A kernel-image address converts too: the image is mapped at KERNBASE and, like all
// of RAM, in the direct map.
#define PHYS_TO_DMAP(pa)    ((uint64)(pa) + DMAP_BASE)
#define DMAP_TO_PHYS(va)    ((uint64)(va) >= KERNBASE ? (uint64)(va) - KERNBASE + RAMBASE \
                                                      : (uint64)(va) - DMAP_BASE)

#define KSTACKSIZE          PAGE_SIZE

#endif
