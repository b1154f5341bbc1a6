// The x86-64 port's inline side of kern/md.h: what every spin lock calls
// (push_off, pop_off, mycpu), so a call each would cost more than the work.
#ifndef _MACHINE_CPUFUNC_H_
#define _MACHINE_CPUFUNC_H_

int md_cpuid(void);     // machdep.c: from the CPU's own GDT

static inline int
intr_get(void)
{
  uint64 rflags;
  asm volatile("pushfq; popq %0" : "=r"(rflags));
  return (rflags & 0x200) != 0;     // FL_IF
}

static inline void intr_on(void) { asm volatile("sti" : : : "memory"); }
static inline void intr_off(void) { asm volatile("cli" : : : "memory"); }

#endif
