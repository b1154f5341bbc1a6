// The RISC-V port's inline side of kern/md.h: what every spin lock calls
// (push_off, pop_off, mycpu), so a call each would cost more than the work.
#ifndef _MACHINE_CPUFUNC_H_
#define _MACHINE_CPUFUNC_H_

#define CPUFUNC_SSTATUS_SIE (1L << 1)

// The hart number, which entry.S put in tp; the kernel never changes tp, and the
// trap vectors keep the kernel's tp across user mode.
static inline int
md_cpuid(void)
{
  uint64 x;
  asm volatile("mv %0, tp" : "=r"(x));
  return (int)x;
}

static inline int
intr_get(void)
{
  uint64 x;
  asm volatile("csrr %0, sstatus" : "=r"(x));
  return (x & CPUFUNC_SSTATUS_SIE) != 0;
}

// QEMU ends a translated block at every CSR write and goes back to its main loop,
// which costs as much as a few dozen instructions: push_off() and pop_off() call
// these on every lock, so write sstatus only when SIE changes. Neither races
// with an interrupt: one between the read and the write of intr_off() returns with
// SIE as it found it.
static inline void
intr_on(void)
{
  if (!intr_get())
    asm volatile("csrs sstatus, %0" : : "r"(CPUFUNC_SSTATUS_SIE) : "memory");
}

static inline void
intr_off(void)
{
  if (intr_get())
    asm volatile("csrc sstatus, %0" : : "r"(CPUFUNC_SSTATUS_SIE) : "memory");
}

#endif
