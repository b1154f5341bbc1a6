// The machine-independent end of every trap from user mode (FreeBSD's userret).
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/upcall.h"

// p, the running process, is about to return to user mode from a trap (tick: a
// timer tick's). Give up the CPU on a tick, enter a pending upcall, and exit
// instead if p was killed. Interrupts on, no locks held; the port then restores
// p->trapframe.
void
userret(struct proc *p, int tick)
{
  if (tick)
    yield();
  if (p->p_upcallpend)
    postupcall(p);
  if (killed(p))
    kexit(-1);
}
