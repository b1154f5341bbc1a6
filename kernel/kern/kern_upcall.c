// Upcalls (lab 6; the user's side is sys/upcall.h): a process registers a function,
// any process that shares its vmspace dispatches it, and the registering process
// runs it on its next return to user mode, unless its critical count holds it off
// or an upcall already runs there.
//
// The registrations hang off the vmspace (vm_upcalls, in id order, and
// vm_upccount), each owned by the process that made it (vu_lwp), which is the one
// that runs it. Exit and exec release a process's own; fork does not copy them (the
// child's vmspace is a new one); a sibling made by rfork(RFMEM) shares the list but
// owns none of it.
//
// upc_lock, a spin lock, protects every vmspace's list, each vmupcall, and
// p_upcallpend. A delivery reads and writes user memory, which may fault and sleep,
// so it takes what it needs under the lock and touches user memory after.
#include <sys/types.h>
#include <sys/upcall.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/sysent.h"
#include "kern/upcall.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"

struct vmupcall {
  struct vmupcall *vu_next;    // the vmspace's next registration (higher id)
  uint64 vu_func;              // user function to run: func(data)
  uint64 vu_data;              // its argument
  uint64 vu_ctx;               // user context function: ctx(func, data, frame)
  struct proc *vu_lwp;         // the process that registered it, and runs it
  int vu_id;                   // >= UPC_RESERVED, never reused in the vmspace
  int vu_pending;              // priority of a dispatch not yet delivered, or 0
};

static struct spinlock upc_lock;
static struct vm_zone upczone;

void
upcall_init(void)
{
  initlock(&upc_lock, "upcall");
  zinit(&upczone, "vmupcall", sizeof(struct vmupcall));
}

// LAB upcalls 1: BEGIN
// Is vu p's, and chosen by id (-1: any of p's)?
static int
upc_mine(struct vmupcall *vu, struct proc *p, int id)
{
  return vu->vu_lwp == p && (id == -1 || vu->vu_id == id);
}

// Does p still have an upcall waiting? Needs upc_lock.
static int
upc_any_pending(struct proc *p)
{
  for (struct vmupcall *vu = p->p_vmspace->vm_upcalls; vu; vu = vu->vu_next)
    if (vu->vu_lwp == p && vu->vu_pending)
      return 1;
  return 0;
}

// upc_register(upc, ctxfunc, func, data): the new id, or -EFBIG if the vmspace
// has UPCALL_MAXCOUNT already (or has given every id), -ENOMEM. upc becomes the caller's struct upcall
// (for all its registrations); it is not checked here: a bad one drops the
// upcall when one is delivered.
long
sys_upc_register(void)
{
  struct proc *p = myproc();
  struct vmspace *vm = p->p_vmspace;
  struct vmupcall *vu = zalloc(&upczone), **tail;

  if (vu == 0)
    return -ENOMEM;
  vu->vu_ctx = argaddr(1);
  vu->vu_func = argaddr(2);
  vu->vu_data = argaddr(3);
  vu->vu_lwp = p;
  acquire(&upc_lock);
  if (vm->vm_upccount >= UPCALL_MAXCOUNT || vm->vm_upcids == 0x7fffffff - UPC_RESERVED) {
    release(&upc_lock);
    zfree(&upczone, vu);
    return -EFBIG;
  }
  vu->vu_id = UPC_RESERVED + vm->vm_upcids++;
  for (tail = &vm->vm_upcalls; *tail; tail = &(*tail)->vu_next)
    ;
  *tail = vu;
  vm->vm_upccount++;
  p->p_upcall = argaddr(0);
  release(&upc_lock);
  return vu->vu_id;
}

// Unregister p's upcall id (-1: all of p's, if any): 0, or -ENOENT if id is not
// one of p's.
static long
upc_delete(struct proc *p, int id)
{
  struct vmspace *vm = p->p_vmspace;
  struct vmupcall *gone = 0, **pp, *vu;
  long n = 0;

  acquire(&upc_lock);
  for (pp = &vm->vm_upcalls; (vu = *pp) != 0; ) {
    if (upc_mine(vu, p, id)) {
      *pp = vu->vu_next;
      vu->vu_next = gone;
      gone = vu;
      n++;
    } else {
      pp = &vu->vu_next;
    }
  }
  vm->vm_upccount -= n;
  p->p_upcallpend = upc_any_pending(p);
  release(&upc_lock);
  while ((vu = gone) != 0) {
    gone = vu->vu_next;
    zfree(&upczone, vu);
  }
  return n == 0 && id != -1 ? -ENOENT : 0;
}
// LAB upcalls 1: STARTER
// // upc_register(upc, ctxfunc, func, data): the new id, or -EFBIG if the vmspace
// // has UPCALL_MAXCOUNT already, -ENOMEM. upc becomes the caller's struct upcall
// // (for all its registrations); it is not checked here: a bad one drops the
// // upcall when one is delivered.
// long
// sys_upc_register(void)
// {
//   printf("upc_register: not written yet (lab 6, task 1)\n");
//   return -ENOSYS;
// }
//
// // Unregister p's upcall id (-1: all of p's, if any): 0, or -ENOENT if id is not
// // one of p's.
// static long
// upc_delete(struct proc *p, int id)
// {
//   (void)p;
//   (void)id;
//   return -ENOSYS;
// }
// LAB upcalls 1: END

// LAB upcalls 2: BEGIN
// Bring t into the kernel soon if it runs user code on another CPU: on its way
// back out, userret() delivers. Anywhere else, it passes through userret() before
// it next runs user code. (Read without a lock: at worst an IPI for nothing.)
static void
upc_notify(struct proc *t)
{
  push_off();
  int me = md_cpuid();
  for (int c = 0; c < ncpu; c++)
    if (c != me && cpus[c].proc == t)
      md_ipi_send(c);
  pop_off();
}

// DISPATCH: make id's process run it, at priority prio (pending dispatches of
// one id merge, keeping the highest). 0, -EINVAL, or -ENOENT.
static long
upc_dispatch(struct proc *p, int id, long prio)
{
  struct vmupcall *vu;
  struct proc *t;

  if (prio < 1 || prio > 0x7fffffff)
    return -EINVAL;
  acquire(&upc_lock);
  for (vu = p->p_vmspace->vm_upcalls; vu && vu->vu_id != id; vu = vu->vu_next)
    ;
  if (vu == 0) {
    release(&upc_lock);
    return -ENOENT;
  }
  if (vu->vu_pending < prio)
    vu->vu_pending = prio;
  t = vu->vu_lwp;
  t->p_upcallpend = 1;
  // From UPC_CONTROL_WAIT. Only t can sleep there: wakeup() would take the lock of
  // every process, which costs far more than all the rest of DISPATCH.
  wakeup_proc(t, &t->p_upcallpend);
  release(&upc_lock);
  upc_notify(t);
  return 0;
}

// POLL and POLLANDCLEAR: the highest priority pending on p's upcall id (-1: on
// any of p's), 0 if none; -ENOENT if id is not one of p's.
static long
upc_poll(struct proc *p, int id, int clear)
{
  long r = id == -1 ? 0 : -ENOENT;

  acquire(&upc_lock);
  for (struct vmupcall *vu = p->p_vmspace->vm_upcalls; vu; vu = vu->vu_next) {
    if (!upc_mine(vu, p, id))
      continue;
    if (r < vu->vu_pending)
      r = vu->vu_pending;
    if (clear)
      vu->vu_pending = 0;
  }
  p->p_upcallpend = upc_any_pending(p);
  release(&upc_lock);
  return r;
}
// LAB upcalls 2: STARTER
// // DISPATCH: make id's process run it, at priority prio (pending dispatches of
// // one id merge, keeping the highest). 0, -EINVAL, or -ENOENT.
// static long
// upc_dispatch(struct proc *p, int id, long prio)
// {
//   (void)p;
//   (void)id;
//   (void)prio;
//   printf("upc_control DISPATCH: not written yet (lab 6, task 2)\n");
//   return -ENOSYS;
// }
//
// // POLL and POLLANDCLEAR: the highest priority pending on p's upcall id (-1: on
// // any of p's), 0 if none; -ENOENT if id is not one of p's.
// static long
// upc_poll(struct proc *p, int id, int clear)
// {
//   (void)p;
//   (void)id;
//   (void)clear;
//   return -ENOSYS;
// }
// LAB upcalls 2: END

// LAB upcalls 3: BEGIN
// Take the first of p's upcalls (in id order) that may run at critical count
// crit, that is, whose priority is above it: 1 with *d a copy of it, or 0 if none
// may. p_upcallpend stays set while any other waits.
static int
upc_take(struct proc *p, int crit, struct vmupcall *d)
{
  struct vmupcall *vu;

  acquire(&upc_lock);
  for (vu = p->p_vmspace->vm_upcalls; vu; vu = vu->vu_next)
    if (vu->vu_lwp == p && vu->vu_pending > crit)
      break;
  if (vu) {
    *d = *vu;
    vu->vu_pending = 0;
  }
  p->p_upcallpend = upc_any_pending(p);
  release(&upc_lock);
  return vu != 0;
}

// Forget what is pending for p: its struct upcall cannot be used.
static void
upc_drop(struct proc *p, const char *why)
{
  printf("pid %d (%s): upcalls dropped: %s struct upcall at 0x%lx\n", p->pid, p->name,
         why, p->p_upcall);
  acquire(&upc_lock);
  for (struct vmupcall *vu = p->p_vmspace->vm_upcalls; vu; vu = vu->vu_next)
    if (vu->vu_lwp == p)
      vu->vu_pending = 0;
  p->p_upcallpend = 0;
  release(&upc_lock);
}

// Set p's upc_pending (the user's "an upcall runs"): 0 or -EFAULT.
static int
upc_set_running(struct proc *p, int running)
{
  return copyout(p->p_upcall + __builtin_offsetof(struct upcall, upc_pending), &running,
                 sizeof(running));
}

// Enter d's upcall in p on frame (0: a new one, below the user stack pointer). If
// the stack has no room for the frame, say so: the upcall is lost. 0 or -EFAULT.
static int
upc_enter(struct proc *p, uint64 frame, struct vmupcall *d)
{
  if (md_upcall_enter(p->trapframe, frame, d->vu_ctx, d->vu_func, d->vu_data) == 0)
    return 0;
  printf("pid %d (%s): upcall %d dropped: no room on the user stack at 0x%lx\n",
         p->pid, p->name, d->vu_id, md_user_sp(p->trapframe));
  return -EFAULT;
}

// On p's way back to user mode (userret), with an upcall pending: enter ctxfunc
// for the first that may run, with the interrupted context saved on the user
// stack. Nothing if p's critical count holds them all off or an upcall already
// runs (its NEXT takes the next). Interrupts on, no locks held.
void
postupcall(struct proc *p)
{
  struct upcall u;
  struct vmupcall d;

  if (copyin(&u, p->p_upcall, sizeof(u)) < 0) {
    upc_drop(p, "unreadable");
    return;
  }
  if (u.upc_pending || !upc_take(p, u.upc_critcount, &d))
    return;
  if (upc_set_running(p, 1) < 0) {
    upc_drop(p, "read-only");
    return;
  }
  if (upc_enter(p, 0, &d) < 0)
    upc_set_running(p, 0);
}

// NEXT, from ctxfunc with the frame its delivery saved: run the next upcall that
// may run on that same frame, or resume the context in it. -EJUSTRETURN (the
// user registers are set), or -EFAULT / -EINVAL for a bad frame, which is refused
// whole before an upcall is taken for it.
static long
upc_next(struct proc *p, uint64 frame)
{
  struct trapframe resumed = *p->trapframe;
  struct upcall u;
  struct vmupcall d;
  int r;

  if ((r = md_upcall_restore(&resumed, frame)) < 0)
    return r;
  if (copyin(&u, p->p_upcall, sizeof(u)) == 0 && upc_take(p, u.upc_critcount, &d) &&
      upc_enter(p, frame, &d) == 0)
    return -EJUSTRETURN;
  *p->trapframe = resumed;
  upc_set_running(p, 0);
  return -EJUSTRETURN;
}
// LAB upcalls 3: STARTER
// // On p's way back to user mode (userret), with an upcall pending: enter ctxfunc
// // for the first that may run, with the interrupted context saved on the user
// // stack. Nothing if p's critical count holds them all off or an upcall already
// // runs (its NEXT takes the next). Interrupts on, no locks held.
// void
// postupcall(struct proc *p)
// {
//   (void)p;     // nothing is delivered yet
// }
//
// // NEXT, from ctxfunc with the frame its delivery saved: run the next upcall that
// // may run on that same frame, or resume the context in it. -EJUSTRETURN (the
// // user registers are set), or -EFAULT / -EINVAL for a bad frame, which is refused
// // whole before an upcall is taken for it.
// static long
// upc_next(struct proc *p, uint64 frame)
// {
//   (void)p;
//   (void)frame;
//   return -ENOSYS;
// }
// LAB upcalls 3: END

// LAB upcalls 4: BEGIN
// WAIT: sleep until one of p's upcalls chosen by id (-1: any) is pending; on the
// way out, userret() delivers it unless the critical count holds it off. 0,
// -ENOENT if p has no such upcall, -EINTR if killed.
static long
upc_wait(struct proc *p, int id)
{
  long r;

  acquire(&upc_lock);
  for (;;) {
    int found = 0, pending = 0;
    for (struct vmupcall *vu = p->p_vmspace->vm_upcalls; vu; vu = vu->vu_next) {
      if (upc_mine(vu, p, id)) {
        found = 1;
        pending |= vu->vu_pending != 0;
      }
    }
    if (!found || pending || killed(p)) {
      r = !found ? -ENOENT : pending ? 0 : -EINTR;
      break;
    }
    sleep(&p->p_upcallpend, &upc_lock);
  }
  release(&upc_lock);
  return r;
}
// LAB upcalls 4: STARTER
// // WAIT: sleep until one of p's upcalls chosen by id (-1: any) is pending; on the
// // way out, userret() delivers it unless the critical count holds it off. 0,
// // -ENOENT if p has no such upcall, -EINTR if killed.
// static long
// upc_wait(struct proc *p, int id)
// {
//   (void)p;
//   (void)id;
//   return -ENOSYS;
// }
// LAB upcalls 4: END

// upc_control(cmd, id, data): see sys/upcall.h; -EINVAL for an unknown cmd.
long
sys_upc_control(void)
{
  struct proc *p = myproc();
  int cmd = argint(0), id = argint(1);
  uint64 data = argaddr(2);

  switch (cmd) {
  case UPC_CONTROL_DISPATCH:     return upc_dispatch(p, id, (long)data);
  case UPC_CONTROL_NEXT:         return upc_next(p, data);
  case UPC_CONTROL_DELETE:       return upc_delete(p, id);
  case UPC_CONTROL_POLL:         return upc_poll(p, id, 0);
  case UPC_CONTROL_POLLANDCLEAR: return upc_poll(p, id, 1);
  case UPC_CONTROL_WAIT:         return upc_wait(p, id);
  }
  return -EINVAL;
}

// p leaves its vmspace (exit, exec): unregister all its upcalls, pending or not.
void
upcall_release(struct proc *p)
{
  if (p->p_vmspace)
    upc_delete(p, -1);
  p->p_upcall = 0;
}
