// RISC-V Sv39 address-space layout.
//
// The kernel runs on its own page table, which maps RAM and the devices at their
// physical addresses (so the direct map is the identity). A user page table maps the
// user's pages below VM_MAXUSER_ADDRESS and, at the very top of the 39-bit space, the
// trampoline page and one trap page per CPU (see trampoline.S).
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#include "kern/param.h"

#define PAGE_SIZE   4096
#define PAGE_SHIFT  12

// One past the highest Sv39 address, less one bit to keep clear of sign extension.
#define MAXVA               (1L << (9 + 9 + 9 + 12 - 1))
#define TRAMPOLINE          (MAXVA - PAGE_SIZE)
#define TRAPPAGES           (TRAMPOLINE - NCPU * PAGE_SIZE)    // CPU i's trap page at + i*PAGE_SIZE
#define VM_MIN_USER_ADDRESS 0
#define VM_MAXUSER_ADDRESS  (TRAPPAGES - PAGE_SIZE)            // a guard page below the trap pages
#define USRSTACK            VM_MAXUSER_ADDRESS
// How far below the user stack pointer code may touch memory: nothing, since the
// RISC-V psABI has no red zone. A touch below sp is a bad access, not stack growth
// (lab 4).
#define USER_STACK_REDZONE  0
#define VM_USER_TEXT        0x10000     // where user programs are linked (user/user.ld)

#define PHYS_TO_DMAP(pa)    ((uint64)(pa))
#define DMAP_TO_PHYS(va)    ((uint64)(va))

#define KSTACKSIZE          PAGE_SIZE

#endif
