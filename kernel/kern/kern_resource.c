// Resource limits: getrlimit() and setrlimit() (sys/resource.h says what each
// limit means). The limits live in struct proc: fork copies them and exec keeps
// them. They belong to the process alone, so no lock guards them.
#include <sys/types.h>
#include <sys/resource.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/sysent.h"

// The limit `which`, or 0 if there is no such limit.
static struct rlimit *
rlimit_of(int which)
{
  if (which != RLIMIT_STACK && which != RLIMIT_MEMLOCK)
    return 0;
  return &myproc()->p_rlimit[which];
}

// int getrlimit(int resource, struct rlimit *rl)
long
sys_getrlimit(void)
{
  struct rlimit *rl = rlimit_of(argint(0));

  if (rl == 0)
    return -EINVAL;
  return copyout(argaddr(1), rl, sizeof(*rl));
}

// int setrlimit(int resource, const struct rlimit *rl): the soft limit may not
// exceed the hard one (EINVAL), and nobody may raise the hard one (EPERM): vmlab
// has no superuser.
long
sys_setrlimit(void)
{
  struct rlimit *rl = rlimit_of(argint(0)), new;
  int r;

  if (rl == 0)
    return -EINVAL;
  if ((r = copyin(&new, argaddr(1), sizeof(new))) < 0)
    return r;
  if (new.rlim_cur > new.rlim_max)
    return -EINVAL;
  if (new.rlim_max > rl->rlim_max)
    return -EPERM;
  *rl = new;
  return 0;
}
