// The clock: ticks since boot, and processes sleeping on them.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"

uint64 ticks;
struct spinlock tickslock;

void
clockintr(void)
{
  acquire(&tickslock);
  ticks++;
  wakeup(&ticks);
  release(&tickslock);
}
