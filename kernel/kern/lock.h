// Shared/exclusive sleep locks, BSD's lockmgr: many readers or one writer, with
// try, upgrade and downgrade. The VM map lock is one (vm_map_lock() and friends).
#ifndef _KERN_LOCK_H_
#define _KERN_LOCK_H_

#include "kern/spinlock.h"

struct lock {
  struct spinlock lk_spin;   // protects the fields below
  int lk_shared;             // number of shared holders
  int lk_exclusive;          // 1 if held exclusively
  int lk_waiters;            // sleepers, so release knows whether to wake
  int lk_upgrading;          // a shared holder waits to become exclusive
  int lk_pid;                // exclusive holder, for assertions
  const char *lk_name;
};

// lockmgr() requests
#define LK_SHARED       0x01   // take a shared hold
#define LK_EXCLUSIVE    0x02   // take an exclusive hold
#define LK_RELEASE      0x04   // drop the caller's hold, shared or exclusive
#define LK_UPGRADE      0x08   // shared -> exclusive; may drop the hold first (returns error)
#define LK_EXCLUPGRADE  0x10   // shared -> exclusive, failing (EBUSY) if another upgrade is pending
#define LK_DOWNGRADE    0x20   // exclusive -> shared, without letting go
#define LK_TYPE_MASK    0x3f
#define LK_NOWAIT       0x100  // fail with EBUSY rather than sleep

void lockinit(struct lock *lk, const char *name);
int lockmgr(struct lock *lk, int flags);   // 0, or a positive errno (EBUSY)
int lockstatus(struct lock *lk);           // LK_EXCLUSIVE, LK_SHARED or 0
int lockowned(struct lock *lk);            // the caller holds it exclusively

#endif
