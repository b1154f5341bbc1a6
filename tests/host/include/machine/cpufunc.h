// Host build: the machine side of the kernel's spin locks (kernel/kern/spinlock.c,
// built unchanged), for one CPU whose interrupt flag is a variable (stubs.c).
#ifndef _MACHINE_CPUFUNC_H_
#define _MACHINE_CPUFUNC_H_

extern int stub_intr;   // "interrupts on"

static inline int md_cpuid(void) { return 0; }
static inline int intr_get(void) { return stub_intr; }
static inline void intr_on(void) { stub_intr = 1; }
static inline void intr_off(void) { stub_intr = 0; }

#endif
