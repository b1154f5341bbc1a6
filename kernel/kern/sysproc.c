// Process system calls.
#include <sys/types.h>
#include <sys/unistd.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/sysent.h"
#include "vm/vm.h"
#include "vm/swap_pager.h"

long sys_fork(void) { return kfork(RFPROC); }

// rfork(flags): RFPROC is fork; RFPROC | RFMEM makes a child that shares this
// process's vmspace.
long
sys_rfork(void)
{
  int flags = argint(0);

  if (flags != RFPROC && flags != (RFPROC | RFMEM))
    return -EINVAL;
  return kfork(flags);
}
long sys_exit(void) { kexit(argint(0)); }
long sys_wait(void) { return kwait(argaddr(0)); }
long sys_getpid(void) { return myproc()->pid; }

long
sys_kill(void)
{
  int pid = argint(0);
  if (pid <= 0)
    return -ESRCH;
  return kkill(pid);
}

// sbrk(n): move the break by n bytes and return the old break. ENOMEM for more
// than memory and swap can give; EINVAL for a shrink below the data.
long
sys_sbrk(void)
{
  uint64 oldbrk;

  switch (growproc(argint(0), &oldbrk)) {
  case KERN_SUCCESS:
    return (long)oldbrk;
  case KERN_INVALID_ARGUMENT:
    return -EINVAL;
  default:
    return -ENOMEM;
  }
}

// sleep(n): sleep for n clock ticks.
long
sys_sleep(void)
{
  int n = argint(0);

  if (n < 0)
    return -EINVAL;
  acquire(&tickslock);
  uint64 ticks0 = ticks;
  while (ticks - ticks0 < (uint64)n) {
    if (killed(myproc())) {
      release(&tickslock);
      return -EINTR;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}

long
sys_uptime(void)
{
  acquire(&tickslock);
  uint64 t = ticks;
  release(&tickslock);
  return (long)t;
}

// halt(code): power the machine off; QEMU exits with status code.
long
sys_halt(void)
{
  int code = argint(0);
  printf("halting\n");
  md_poweroff(code);
}

// Free pages, less what swap holds (slots in use, and the pages of their
// metadata): a page the pageout daemon moved to swap is not memory given back.
// Leak-checking tests compare this number before and after; the daemon moving
// another process's pages to swap meanwhile leaves it as it was.
long
sys_freemem(void)
{
  return (long)kfreecount() - (long)swap_pager_held();
}
