// procinfo(): the process table for ps, with each process's memory use; and the
// lookup that lets the informational VM calls (vm/vm_info.c) read another
// process's address space.
#include <sys/types.h>
#include <sys/vmmap.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"

// A vmspace reference keeps the address space alive after p->lock is dropped,
// whatever the process does meanwhile (exit, exec, being reaped): the caller may
// then sleep on the map lock and read at leisure.
static struct vmspace *
hold(struct proc *p)
{
  struct vmspace *vm = p->p_vmspace;

  if (vm)
    vmspace_ref(vm);
  return vm;
}

struct vmspace *
proc_vmspace_hold(int pid)
{
  struct proc *p;
  struct vmspace *vm;

  if (pid == 0) {
    p = myproc();
    acquire(&p->lock);
    vm = hold(p);
    release(&p->lock);
    return vm;
  }
  for (p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED) {
      vm = hold(p);
      release(&p->lock);
      return vm;
    }
    release(&p->lock);
  }
  return 0;
}

static const int kp_state[] = {
  [USED] KP_STATE_USED, [SLEEPING] KP_STATE_SLEEPING, [RUNNABLE] KP_STATE_RUNNABLE,
  [RUNNING] KP_STATE_RUNNING, [ZOMBIE] KP_STATE_ZOMBIE,
};

// int procinfo(struct kinfo_proc *buf, int n): fills buf with up to n processes,
// in process-table order, and returns how many there are (which may be more than n).
long
sys_procinfo(void)
{
  uint64 ubuf = argaddr(0);
  int n = argint(1), count = 0;
  struct kinfo_proc kp;

  if (n < 0)
    return -EINVAL;
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED || p->p_kmain) {
      release(&p->lock);
      continue;
    }
    memset(&kp, 0, sizeof(kp));
    kp.kp_pid = p->pid;
    kp.kp_state = kp_state[p->state];
    safestrcpy(kp.kp_name, p->name, sizeof(kp.kp_name));
    // p->parent belongs to wait_lock, which is proc.c's; a stale parent is
    // harmless here (parents live in proc[], so the pointer is always readable).
    struct proc *parent = p->parent;
    struct vmspace *vm = hold(p);
    release(&p->lock);
    kp.kp_ppid = parent ? parent->pid : 0;
    if (vm) {
      vm_map_lock_read(&vm->vm_map);
      kp.kp_size = vm->vm_map.size;
      kp.kp_ssize = ptoa(vm->vm_ssize);   // growth changes it under the map lock
      vm_map_unlock_read(&vm->vm_map);
      kp.kp_rss = pmap_resident_count(&vm->vm_pmap);
      kp.kp_nshare = MAX(vmspace_users(vm), 1);
      kp.kp_pss = vmspace_pss(vm) / kp.kp_nshare;
      vmspace_free(vm);
    }
    if (count < n && copyout(ubuf + count * sizeof(kp), &kp, sizeof(kp)) < 0)
      return -EFAULT;
    count++;
  }
  return count;
}
