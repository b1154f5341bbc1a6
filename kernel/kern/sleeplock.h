// Long-term locks: a process that waits for one sleeps.
#ifndef _KERN_SLEEPLOCK_H_
#define _KERN_SLEEPLOCK_H_

#include "kern/spinlock.h"

struct sleeplock {
  uint locked;        // is the lock held?
  struct spinlock lk; // protects this sleep lock
  const char *name;   // for debugging
  int pid;            // process holding the lock
};

void initsleeplock(struct sleeplock *lk, const char *name);
void acquiresleep(struct sleeplock *lk);
int tryacquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int holdingsleep(struct sleeplock *lk);

#endif
