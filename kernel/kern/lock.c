// lockmgr: shared/exclusive sleep locks (see lock.h).
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/lock.h"

void
lockinit(struct lock *lk, const char *name)
{
  initlock(&lk->lk_spin, name);
  lk->lk_shared = lk->lk_exclusive = lk->lk_waiters = lk->lk_upgrading = 0;
  lk->lk_pid = 0;
  lk->lk_name = name;
}

static void
lock_wait(struct lock *lk)
{
  lk->lk_waiters++;
  sleep(lk, &lk->lk_spin);
  lk->lk_waiters--;
}

static void
lock_wakeup(struct lock *lk)
{
  if (lk->lk_waiters)
    wakeup(lk);
}

static int
mypid(void)
{
  struct proc *p = myproc();
  return p ? p->pid : -1;
}

int
lockmgr(struct lock *lk, int flags)
{
  int nowait = flags & LK_NOWAIT, error = 0;

  acquire(&lk->lk_spin);
  switch (flags & LK_TYPE_MASK) {
  case LK_SHARED:
    // Writers, and shared holders waiting to upgrade, go first.
    while (lk->lk_exclusive || lk->lk_upgrading) {
      if (nowait) {
        error = EBUSY;
        goto out;
      }
      lock_wait(lk);
    }
    lk->lk_shared++;
    break;
  case LK_EXCLUSIVE:
    KASSERT(!(lk->lk_exclusive && lk->lk_pid == mypid()), "lockmgr: recursive exclusive");
    while (lk->lk_exclusive || lk->lk_shared || lk->lk_upgrading) {
      if (nowait) {
        error = EBUSY;
        goto out;
      }
      lock_wait(lk);
    }
    lk->lk_exclusive = 1;
    lk->lk_pid = mypid();
    break;
  case LK_RELEASE:
    if (lk->lk_exclusive) {
      KASSERT(lk->lk_pid == mypid(), "lockmgr: %s: pid %d releases pid %d's lock", lk->lk_name, mypid(), lk->lk_pid);
      lk->lk_exclusive = 0;
      lk->lk_pid = 0;
    } else {
      KASSERT(lk->lk_shared > 0, "lockmgr: %s: release of an unheld lock (%d shared)", lk->lk_name, lk->lk_shared);
      lk->lk_shared--;
    }
    lock_wakeup(lk);
    break;
  case LK_EXCLUPGRADE:
  case LK_UPGRADE:
    KASSERT(lk->lk_shared > 0, "lockmgr: %s: upgrade without a shared hold (%d shared)", lk->lk_name, lk->lk_shared);
    if (lk->lk_upgrading) {
      // Two upgraders would wait for each other forever: one must let go.
      lk->lk_shared--;
      lock_wakeup(lk);
      error = EBUSY;
      goto out;
    }
    lk->lk_upgrading = 1;
    lk->lk_shared--;
    while (lk->lk_shared || lk->lk_exclusive)
      lock_wait(lk);
    lk->lk_upgrading = 0;
    lk->lk_exclusive = 1;
    lk->lk_pid = mypid();
    break;
  case LK_DOWNGRADE:
    KASSERT(lk->lk_exclusive && lk->lk_pid == mypid(), "lockmgr: downgrade without the lock");
    lk->lk_exclusive = 0;
    lk->lk_pid = 0;
    lk->lk_shared++;
    lock_wakeup(lk);
    break;
  default:
    panic("lockmgr: bad request 0x%x", flags);
  }
out:
  release(&lk->lk_spin);
  return error;
}

// lockstatus and lockowned serve assertions, which every map operation makes, so
// they read without the interlock (whose interrupts-off section costs more under
// QEMU than the rest of a lookup). An assertion by the holder reads fields that
// only the holder can change while it holds the lock, so the answer is exact; a
// read that races a change by another holder can only answer "not the caller's".
int
lockstatus(struct lock *lk)
{
  if (__atomic_load_n(&lk->lk_exclusive, __ATOMIC_RELAXED))
    return LK_EXCLUSIVE;
  return __atomic_load_n(&lk->lk_shared, __ATOMIC_RELAXED) ? LK_SHARED : 0;
}

int
lockowned(struct lock *lk)
{
  return __atomic_load_n(&lk->lk_exclusive, __ATOMIC_RELAXED) &&
         __atomic_load_n(&lk->lk_pid, __ATOMIC_RELAXED) == mypid();
}
