// System call dispatch and argument fetching.
#include <sys/types.h>
#include <sys/syscall.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/sysent.h"
#include "vm/vm.h"

// Fetch the 8-byte word at user address addr.
int
fetchaddr(uint64 addr, uint64 *ip)
{
  return copyin(ip, addr, sizeof(*ip));
}

// Fetch the NUL-terminated string at addr: its length, or a negative errno.
int
fetchstr(uint64 addr, char *buf, int max)
{
  int r = copyinstr(buf, addr, max);
  return r < 0 ? r : (int)strlen(buf);
}

int
argint(int n)
{
  return (int)md_syscall_arg(myproc()->trapframe, n);
}

uint64
argaddr(int n)
{
  return md_syscall_arg(myproc()->trapframe, n);
}

int
argstr(int n, char *buf, int max)
{
  return fetchstr(argaddr(n), buf, max);
}

static long (*const syscalls[])(void) = {
  [SYS_fork]    sys_fork,
  [SYS_exit]    sys_exit,
  [SYS_wait]    sys_wait,
  [SYS_pipe]    sys_pipe,
  [SYS_read]    sys_read,
  [SYS_kill]    sys_kill,
  [SYS_exec]    sys_exec,
  [SYS_fstat]   sys_fstat,
  [SYS_chdir]   sys_chdir,
  [SYS_dup]     sys_dup,
  [SYS_getpid]  sys_getpid,
  [SYS_sbrk]    sys_sbrk,
  [SYS_sleep]   sys_sleep,
  [SYS_uptime]  sys_uptime,
  [SYS_open]    sys_open,
  [SYS_write]   sys_write,
  [SYS_mknod]   sys_mknod,
  [SYS_unlink]  sys_unlink,
  [SYS_link]    sys_link,
  [SYS_mkdir]   sys_mkdir,
  [SYS_close]   sys_close,
  [SYS_halt]    sys_halt,
  [SYS_freemem] sys_freemem,
  [SYS_mmap]     sys_mmap,
  [SYS_munmap]   sys_munmap,
  [SYS_mprotect] sys_mprotect,
  [SYS_minherit] sys_minherit,
  [SYS_madvise]  sys_madvise,
  [SYS_msync]    sys_msync,
  [SYS_mincore]  sys_mincore,
  [SYS_vmmap]    sys_vmmap,
  [SYS_vmstat]   sys_vmstat,
  [SYS_vmverify] sys_vmverify,
  [SYS_procinfo] sys_procinfo,
  [SYS_vmbench]  sys_vmbench,
  [SYS_getrlimit] sys_getrlimit,
  [SYS_setrlimit] sys_setrlimit,
  [SYS_mlock]      sys_mlock,
  [SYS_munlock]    sys_munlock,
  [SYS_mlockall]   sys_mlockall,
  [SYS_munlockall] sys_munlockall,
  [SYS_rfork]   sys_rfork,
  [SYS_upc_register] sys_upc_register,
  [SYS_upc_control]  sys_upc_control,
  [SYS_exec_sys_register]   sys_exec_sys_register,
  [SYS_exec_sys_unregister] sys_exec_sys_unregister,
  [SYS_resident_list]       sys_resident_list,
  [SYS_failnth]             sys_failnth,
};

// Run the system call whose number and arguments are in the trapframe; its result,
// a value or a negative errno, goes back in the return register (unless the call
// set the registers itself: -EJUSTRETURN).
void
syscall(void)
{
  struct proc *p = myproc();
  int num = md_syscall_num(p->trapframe);
  long r;

  if (num > 0 && num < (int)NELEM(syscalls) && syscalls[num]) {
    r = syscalls[num]();
  } else {
    printf("pid %d (%s): unknown system call %d\n", p->pid, p->name, num);
    r = -ENOSYS;
  }
  if (r != -EJUSTRETURN)
    md_syscall_ret(p->trapframe, (uint64)r);
}
