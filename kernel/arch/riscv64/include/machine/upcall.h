// The user context an upcall interrupted, as the kernel saves it on the user stack
// (arch/riscv64/upcall.c): the pc, then x1 (ra) to x31 (t6), in the order of
// struct trapframe. UPC_CONTROL_NEXT loads it back. 256 bytes, a multiple of 16.
#ifndef _MACHINE_UPCALL_H_
#define _MACHINE_UPCALL_H_

#include <sys/types.h>

struct upcall_frame {
  uint64 uf_pc;
  uint64 uf_x[31];   // uf_x[n - 1] is xn
};

#endif
