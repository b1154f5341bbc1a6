// x86-64 address-space layout (4-level paging, 48-bit virtual addresses).
//
//   0x0000000000000000 - 0x00007fffffffefff  user space (the low canonical half)
//   0xffff800000000000 - ...                 the direct map: all of RAM and the
//                                            first 4 GiB of physical addresses
//                                            (LAPIC, IOAPIC) at PHYS_TO_DMAP(pa)
//   0xffffffff80000000 - ...                 the kernel image (KERNBASE + its physical
//                                            address), where -mcmodel=kernel needs it
//
// User space lives in the low half, so unlike RISC-V the kernel cannot use identity
// addresses: it reaches physical memory through the direct map. Every user page table
// shares the kernel's upper-half PML4 entries, so the kernel is mapped in every
// address space and a trap needs no page-table switch.
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#include "kern/param.h"

#define PAGE_SIZE   4096
#define PAGE_SHIFT  12

#define KERNBASE    0xffffffff80000000UL   // virtual address of physical 0 in the image map
#define DMAP_BASE   0xffff800000000000UL   // virtual address of physical 0 in the direct map

// The top user page stays unmapped as a guard: code running off the end of the
// low half would otherwise fault with #GP (non-canonical) rather than a page fault.
#define VM_MIN_USER_ADDRESS 0
#define VM_MAXUSER_ADDRESS  (0x0000800000000000UL - PAGE_SIZE)
#define USRSTACK            VM_MAXUSER_ADDRESS
// How far below the user stack pointer code may touch memory: the System V ABI's
// red zone, 128 bytes that leaf code uses without moving %rsp (user code is compiled
// with it). A touch further down is a bad access, not stack growth (lab 4).
#define USER_STACK_REDZONE  128
#define VM_USER_TEXT        0x10000     // where user programs are linked (user/user.ld)

// A kernel-image address (>= KERNBASE) converts too, so that code written against the
// RISC-V port, where every kernel address is physical, still works here.
#define PHYS_TO_DMAP(pa)    ((uint64)(pa) + DMAP_BASE)
#define DMAP_TO_PHYS(va)    ((uint64)(va) >= KERNBASE ? (uint64)(va) - KERNBASE \
                                                      : (uint64)(va) - DMAP_BASE)

#define KSTACKSIZE          PAGE_SIZE

#endif
