// xv6 programs say #include "kernel/riscv.h" for the page size, MAXVA and r_sp().
// These are the values that hold on vmlab, on each port; xv6's page-table and CSR
// definitions have no meaning in a user program here and are left out.
#ifndef _XV6_RISCV_H_
#define _XV6_RISCV_H_

#include <sys/types.h>
#include <machine/vmparam.h>

#define PGSIZE  PAGE_SIZE
#define PGSHIFT PAGE_SHIFT
#define PGROUNDUP(sz)  (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))

// r_sp: the stack pointer, per port (xv6's usertests reads it). MAXVA: on RISC-V
// machine/vmparam.h has it, one past the highest Sv39 user address.
#ifdef __riscv
static inline uint64
r_sp(void)
{
  uint64 x;
  asm volatile("mv %0, sp" : "=r"(x));
  return x;
}
#else
// One past the highest user address: the top of the low canonical half, where
// xv6's MAXVAplus test must fault.
#define MAXVA   0x0000800000000000UL
static inline uint64
r_sp(void)
{
  uint64 x;
  asm volatile("mov %%rsp, %0" : "=r"(x));
  return x;
}
#endif

#endif
