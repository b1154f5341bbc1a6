// TLB shootdown (see smp.h). Each CPU has a count of the flushes asked of it and a
// count of those it has done; a request is an increment of the first and an IPI,
// and the asker waits until the second has caught up. Counts, not flags: requests
// from several CPUs at once, and IPIs that arrive late or coalesce, need no
// bookkeeping, since one flush answers every request made before it.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "kern/smp.h"

static struct {
  uint64 asked;     // flushes asked of this CPU (atomic)
  uint64 done;      // of which done: the value of asked at its last flush
} __attribute__((aligned(64))) tlbq[NCPU];

void
smp_ipi_poll(void)
{
  int me = md_cpuid();
  // Acquire: the asker's page-table writes come before its increment, so the
  // flush below cannot bring back what they replaced.
  uint64 asked = __atomic_load_n(&tlbq[me].asked, __ATOMIC_ACQUIRE);

  if (asked == __atomic_load_n(&tlbq[me].done, __ATOMIC_RELAXED))
    return;
  md_tlb_flush();
  __atomic_store_n(&tlbq[me].done, asked, __ATOMIC_RELEASE);
}

void
smp_ipi_intr(void)
{
  smp_ipi_poll();
}

void
smp_tlb_shootdown(uint64 cpus)
{
  uint64 want[NCPU];

  push_off();
  int me = md_cpuid();
  cpus &= ~(1UL << me);
  for (int c = 0; c < NCPU; c++) {
    if (cpus & (1UL << c)) {
      want[c] = __atomic_add_fetch(&tlbq[c].asked, 1, __ATOMIC_SEQ_CST);
      md_ipi_send(c);
    }
  }
  for (int c = 0; c < NCPU; c++)
    while ((cpus & (1UL << c)) && __atomic_load_n(&tlbq[c].done, __ATOMIC_ACQUIRE) < want[c])
      smp_ipi_poll();
  pop_off();
}
