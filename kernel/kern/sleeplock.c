// Sleep locks: for long holds (a disk block, an inode) across which a process sleeps.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/sleeplock.h"

void
initsleeplock(struct sleeplock *lk, const char *name)
{
  initlock(&lk->lk, "sleep lock");
  lk->name = name;
  lk->locked = 0;
  lk->pid = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  while (lk->locked)
    sleep(lk, &lk->lk);
  lk->locked = 1;
  lk->pid = myproc()->pid;
  release(&lk->lk);
}

// Take lk if it is free, without sleeping: 1, or 0 (someone holds it). For a
// process that must not wait for the holder (the pageout daemon: the holder may be
// waiting for memory).
int
tryacquiresleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  int free = !lk->locked;
  if (free) {
    lk->locked = 1;
    lk->pid = myproc()->pid;
  }
  release(&lk->lk);
  return free;
}

void
releasesleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  lk->locked = 0;
  lk->pid = 0;
  wakeup(lk);
  release(&lk->lk);
}

int
holdingsleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  int r = lk->locked && lk->pid == myproc()->pid;
  release(&lk->lk);
  return r;
}
