// Spin locks. A lock is held with interrupts off on its CPU, so that an interrupt
// handler on the same CPU can never wait for a lock its CPU already holds.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/smp.h"

void
initlock(struct spinlock *lk, const char *name)
{
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

void
acquire(struct spinlock *lk)
{
  push_off();
  if (holding(lk))
    panic("acquire: %s held twice", lk->name);
  // While it spins, interrupts off, the CPU still answers TLB shootdowns: the
  // holder may be waiting for this CPU's flush.
  while (__sync_lock_test_and_set(&lk->locked, 1) != 0)
    smp_ipi_poll();
  // Keep the critical section's loads and stores after the lock is taken.
  __sync_synchronize();
  lk->cpu = mycpu();
}

void
release(struct spinlock *lk)
{
  if (!holding(lk))
    panic("release: %s not held", lk->name);
  lk->cpu = 0;
  __sync_synchronize();
  __sync_lock_release(&lk->locked);
  pop_off();
}

// Is this CPU holding the lock? Interrupts must be off.
int
holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

// push_off/pop_off are intr_off/intr_on that nest: two push_off()s need two
// pop_off()s, and interrupts come back on only if they were on at the first.
void
push_off(void)
{
  int old = intr_get();

  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = old;
  c->noff++;
}

void
pop_off(void)
{
  struct cpu *c = mycpu();

  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: not pushed");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
