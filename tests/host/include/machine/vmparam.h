// Host build: the user address space of the RISC-V port (Sv39), which the MI VM
// sees only through these names. The direct map is the identity here (the port's is
// not: the host tests have no kernel half).
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#include "kern/param.h"

#define PAGE_SIZE   4096
#define PAGE_SHIFT  12

#define MAXVA               (1L << (9 + 9 + 9 + 12 - 1))
#define VM_MIN_USER_ADDRESS 0
#define VM_MAXUSER_ADDRESS  (MAXVA - 10 * PAGE_SIZE)
#define USRSTACK            VM_MAXUSER_ADDRESS
#define VM_USER_TEXT        0x10000

#define PHYS_TO_DMAP(pa)    ((uint64)(pa))
#define DMAP_TO_PHYS(va)    ((uint64)(va))

#define KSTACKSIZE          PAGE_SIZE

#endif
