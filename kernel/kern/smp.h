// TLB shootdown: one CPU changes page tables that other CPUs may have loaded, and
// must not go on (free a page, say) until none of them can still use an old
// translation from its TLB. It asks each of them, by an inter-processor interrupt,
// to flush, and waits until each has (kern/smp.c).
#ifndef _KERN_SMP_H_
#define _KERN_SMP_H_

#include <sys/types.h>

// Flush the TLBs of the CPUs in cpus (a bit per md_cpuid(); the caller's own bit
// is ignored: it flushes itself) and return once each has. Callable with spin
// locks held and interrupts off: meanwhile it answers other CPUs' requests.
void smp_tlb_shootdown(uint64 cpus);
// Answer the requests made of this CPU (interrupts off): the IPI's handler, and
// every CPU that spins (for a lock, or in smp_tlb_shootdown) calls it, so that two
// CPUs that wait for each other with interrupts off still both go on.
void smp_ipi_poll(void);
void smp_ipi_intr(void);

#endif
