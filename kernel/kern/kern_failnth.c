// Allocation-failure injection, in DEBUG=1 kernels: failnth(n) makes the calling
// process's nth kernel allocation from then on fail, once. An allocation is a page
// (vm_page_alloc, and so kalloc: page tables, kernel stacks, pipes, zone pages), a
// zone item (zalloc: map entries, objects, pv entries, ...) or a zone reservation
// (zreserve). failtest sweeps n over a workload, so that each of its allocations
// takes its error path in turn, and checks that each ends in an errno or a retry,
// never a panic, a hang or a lost page. (Linux's fail-nth is the model.)
//
// Only the arming process counts: the pageout daemon and the other processes
// allocate as usual, and a child does not inherit the count (fork clears it), but
// it survives exec, which allocates on the process's behalf.
#include <sys/types.h>
#include <sys/errno.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/sysent.h"

#ifdef VM_DEBUG
// Set once a process has armed a count: until then (at boot, say) an allocation
// does not look at myproc().
static int armed;

// Whether the allocation being made should fail: the calling process's count runs
// out. No lock: only the process itself changes its count (fork and exit clear it
// while no one else can run it).
int
alloc_fail(void)
{
  struct proc *p;

  if (!armed || (p = myproc()) == 0 || p->p_failnth == 0)
    return 0;
  return --p->p_failnth == 0;
}

// failnth(n): the caller's nth allocation from now fails; n == 0 disarms. Returns
// how many allocations were left before the failure: 0 if it has happened (or
// none was armed). EINVAL for n < 0.
long
sys_failnth(void)
{
  int n = argint(0);
  struct proc *p = myproc();

  if (n < 0)
    return -EINVAL;
  long left = p->p_failnth;
  p->p_failnth = n;
  if (n)
    armed = 1;
  return left;
}
#else
long
sys_failnth(void)
{
  return -ENOSYS;
}
#endif
