// Host build: the user address space of the RISC-V port (Sv39), its own header, which
// the MI VM sees only through these names. The direct map is the identity here (the
// port's is not: the host tests have no kernel half, and kalloc is aligned_alloc).
#ifndef _HOST_MACHINE_VMPARAM_H_
#define _HOST_MACHINE_VMPARAM_H_

#include "../../../../kernel/arch/riscv64/include/machine/vmparam.h"

#undef PHYS_TO_DMAP
#undef DMAP_TO_PHYS
#define PHYS_TO_DMAP(pa)    ((uint64)(pa))
#define DMAP_TO_PHYS(va)    ((uint64)(va))

#endif
