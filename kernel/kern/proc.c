// Processes: creation, exit and wait, sleep and wakeup, and the scheduler.
//
// Locks: p->lock protects p's state, chan, xstate and pid, and the writes of
// killed (killed() reads it without); wait_lock protects every p->parent and is
// taken before any p->lock, so that exit and wait cannot miss each other's wakeups.
#include <sys/types.h>
#include <sys/unistd.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/upcall.h"
#include "kern/resident.h"
#include "fs/fsdefs.h"
#include "fs/file.h"
#include "vm/vm.h"

struct cpu cpus[NCPU];
struct proc proc[NPROC];
static struct proc *initproc;
static int nextpid = 1;
static struct spinlock pid_lock;
static struct spinlock wait_lock;

void
procinit(void)
{
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  initlock(&tickslock, "time");
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    initlock(&p->lock, "proc");
}

struct proc *
myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int
allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

// Free p's kernel stack and mark it unused. Caller holds p->lock, and has taken
// p's vmspace away to free it after the lock: unmapping may sleep.
static void
freeproc(struct proc *p)
{
  KASSERT(p->p_vmspace == 0, "freeproc: vmspace still attached");
  if (p->kstack)
    kfree((void *)p->kstack);
  p->kstack = 0;
  p->trapframe = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->p_failnth = 0;
  p->state = UNUSED;
}

// Find an unused slot, give it pid and a kernel stack, and set it up to start in
// forkret(). Returns it with p->lock held, or 0 with *err set.
static struct proc *
allocproc(int pid, int *err)
{
  struct proc *p;

  for (p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED)
      goto found;
    release(&p->lock);
  }
  *err = -EAGAIN;
  return 0;

found:
  p->pid = pid;
  p->state = USED;
  if ((p->kstack = (uint64)kalloc()) == 0) {
    freeproc(p);
    release(&p->lock);
    *err = -ENOMEM;
    return 0;
  }
  md_proc_setup(p);
  return p;
}

// The first process: an empty address space that forkret() fills with exec("/init").
void
userinit(void)
{
  int err;
  struct vmspace *vm = vmspace_alloc();
  struct proc *p = allocproc(allocpid(), &err);

  KASSERT(p != 0 && vm != 0, "userinit: no memory");
  initproc = p;
  p->p_vmspace = vm;
  safestrcpy(p->name, "init", sizeof(p->name));
  // Every process inherits these, unless it lowers them.
  p->p_rlimit[RLIMIT_STACK] = (struct rlimit){ MAXSSIZ, MAXSSIZ };
  p->p_rlimit[RLIMIT_MEMLOCK] = (struct rlimit){ DFLMLOCK, DFLMLOCK };
  p->state = RUNNABLE;
  release(&p->lock);
}

// A kernel process: no address space, pid 0 (it takes no pid from the user
// processes' sequence, as V7's swapper was pid 0), running main() forever. procinfo
// does not list it; nobody can kill or wait for it.
struct proc *
kproc_start(const char *name, void (*main)(void))
{
  int err;
  struct proc *p = allocproc(0, &err);

  if (p == 0)
    panic("kproc_start: no process for %s: error %d", name, err);
  p->p_kmain = main;
  safestrcpy(p->name, name, sizeof(p->name));
  p->state = RUNNABLE;
  release(&p->lock);
  return p;
}

int
growproc(long n, uint64 *oldbrk)
{
  return vm_sbrk(myproc()->p_vmspace, n, oldbrk);
}

// Create a child of the caller (flags: RFPROC, and RFMEM for a child that shares
// the caller's vmspace, else it gets a copy); return its pid, or a negative errno.
int
kfork(int flags)
{
  int err, pid;
  struct proc *np, *p = myproc();
  // Copy the address space first: it may sleep, which allocproc's lock forbids.
  // Short of memory, wait for the pageout daemon and try again, as a fault does;
  // ENOMEM only if this process is killed meanwhile (out of memory and swap).
  struct vmspace *vm = p->p_vmspace;

  if (flags & RFMEM)
    vmspace_ref(vm);
  else
    while ((vm = vmspace_fork(p->p_vmspace)) == 0)
      if (vm_wait() < 0)
        return -ENOMEM;
  while ((np = allocproc(allocpid(), &err)) == 0) {
    if (err != -ENOMEM || vm_wait() < 0) {
      vmspace_free(vm);
      return err;
    }
  }
  np->p_vmspace = vm;
  md_fork_child(np, p);
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  if ((np->p_textvp = p->p_textvp) != 0) {
    idup(np->p_textvp);
    inode_text_ref(np->p_textvp);
  }
  np->p_textgen = p->p_textgen;
  safestrcpy(np->p_path, p->p_path, sizeof(p->p_path));
  safestrcpy(np->name, p->name, sizeof(p->name));
  memmove(np->p_rlimit, p->p_rlimit, sizeof(p->p_rlimit));
  pid = np->pid;
  release(&np->lock);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  return pid;
}

// How many processes use vm (a snapshot). Takes each process's lock.
int
vmspace_users(struct vmspace *vm)
{
  int n = 0;

  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    n += p->state != UNUSED && p->p_vmspace == vm;
    release(&p->lock);
  }
  return n;
}

// Give p's children to init. Caller holds wait_lock.
static void
reparent(struct proc *p)
{
  for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
    if (pp->parent == p) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// Exit: unmap the address space, close files, become a zombie until the parent
// waits. The parent's wait frees the rest (the kernel stack this runs on, the page
// table this CPU is using).
void
kexit(int status)
{
  struct proc *p = myproc();

  if (p == initproc)
    panic("init exiting");
  upcall_release(p);
  // Unmap the address space now, unless another process shares it (RFMEM; a
  // zombie sharer counts too): then the last reference's vmspace_free does. No
  // process can start sharing it meanwhile: only its users can fork it so.
  if (vmspace_users(p->p_vmspace) == 1)
    vmspace_exit(p->p_vmspace);
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  if (p->p_textvp)
    inode_text_end(p->p_textvp);
  begin_op();
  iput(p->cwd);
  if (p->p_textvp)
    iput(p->p_textvp);
  end_op();
  p->cwd = 0;
  p->p_textvp = 0;

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Wait for a child to exit; store its status at user address addr unless 0.
// Returns its pid, -ECHILD if there are no children, -EINTR if killed.
int
kwait(uint64 addr)
{
  struct proc *p = myproc();

  acquire(&wait_lock);
  for (;;) {
    int havekids = 0;
    for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      acquire(&pp->lock);
      havekids = 1;
      if (pp->state == ZOMBIE) {
        int pid = pp->pid, xstate = pp->xstate;
        struct vmspace *vm = pp->p_vmspace;
        pp->p_vmspace = 0;
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        vmspace_free(vm);
        // The copy may fault and sleep, so it comes after the spin locks. The child
        // is reaped either way, as BSD's wait4 does.
        if (addr != 0 && copyout(addr, &xstate, sizeof(xstate)) < 0)
          return -EFAULT;
        return pid;
      }
      release(&pp->lock);
    }
    if (!havekids) {
      release(&wait_lock);
      return -ECHILD;
    }
    if (killed(p)) {
      release(&wait_lock);
      return -EINTR;
    }
    sleep(p, &wait_lock);
  }
}

// Each CPU runs this loop forever: pick a runnable process, switch to it, and
// when it gives the CPU back, go on. With nothing to run, wait for an interrupt
// rather than spin, so that idle CPUs cost the host nothing.
void
scheduler(void)
{
  struct cpu *c = mycpu();

  c->proc = 0;
  c->started = 1;
  for (;;) {
    // Take the interrupts that are pending (a device may wake a process), then
    // scan with interrupts off. Were they on, an interrupt that woke a process the
    // scan had already passed would leave this CPU in md_idle until the next tick:
    // a disk request would wait for a tick, not for its disk.
    intr_on();
    intr_off();
    int found = 0;
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      // Why a look without the lock first: a lock per slot made this loop cost
      // some 100 us under QEMU. A process that became runnable after the look is
      // the same as one that became runnable after the scan passed it.
      if (__atomic_load_n(&p->state, __ATOMIC_RELAXED) != RUNNABLE)
        continue;
      acquire(&p->lock);
      if (p->state == RUNNABLE) {
        p->state = RUNNING;
        c->proc = p;
        pmap_activate(p->p_vmspace ? &p->p_vmspace->vm_pmap : 0);
        swtch(&c->context, &p->context);
        // Leave no page table of p live on this CPU: wait() may free it.
        pmap_activate(0);
        c->proc = 0;
        found = 1;
      }
      release(&p->lock);
    }
    if (!found)
      md_idle();
  }
}

// Switch to the scheduler. The caller holds p->lock only and has changed p->state.
// intena belongs to this kernel thread, not to the CPU, so it is saved across.
void
sched(void)
{
  struct proc *p = myproc();

  if (!holding(&p->lock))
    panic("sched: p->lock not held");
  if (mycpu()->noff != 1)
    panic("sched: locks held");
  if (p->state == RUNNING)
    panic("sched: running");
  if (intr_get())
    panic("sched: interrupts on");
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void
yield(void)
{
  struct proc *p = myproc();

  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// A new process's first scheduling lands here, still holding p->lock from the
// scheduler. The first process also mounts the root and execs /init.
void
forkret(void)
{
  static int first = 1;
  struct proc *p = myproc();

  release(&p->lock);
  // release() put back the scheduler's interrupt state, which is off: a new thread
  // starts with them on (a kernel process that never sleeps would otherwise never
  // see a timer tick, and on one CPU nothing else would run).
  intr_on();
  if (p->p_kmain)
    p->p_kmain();   // never returns
  if (first) {
    // The file system must be set up in a process, since it sleeps on the disk.
    fsinit(ROOTDEV);
    first = 0;
    __sync_synchronize();
    p->cwd = namei("/");
    char *argv[] = { "init", 0 };
    int r = kexec("/init", argv);
    if (r < 0)
      panic("exec /init failed: %d", r);
  }
  usertrapret();
}

// Atomically release lk and sleep on chan; take lk again when woken.
void
sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();

  // With p->lock held, no wakeup can come between the release of lk and the
  // state change: wakeup takes p->lock too.
  acquire(&p->lock);
  release(lk);
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan. Caller must not hold any p->lock.
void
wakeup(void *chan)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    // Why an unused slot can be passed without its lock: a process that sleeps on
    // chan went to sleep() holding the caller's lock, which the caller has taken
    // since, so its state (not UNUSED) is visible here. Any other state needs the
    // lock: sleep() sets SLEEPING and chan after it lets the caller's lock go.
    if (__atomic_load_n(&p->state, __ATOMIC_RELAXED) == UNUSED)
      continue;
    if (p != myproc()) {
      acquire(&p->lock);
      if (p->state == SLEEPING && p->chan == chan)
        p->state = RUNNABLE;
      release(&p->lock);
    }
  }
}

// Wake p if it sleeps on chan. Unlike wakeup(), it takes p's lock alone, so the
// caller may hold another process's (allocproc() allocates pages with it held).
void
wakeup_proc(struct proc *p, void *chan)
{
  acquire(&p->lock);
  if (p->state == SLEEPING && p->chan == chan)
    p->state = RUNNABLE;
  release(&p->lock);
}

// Kill pid: it exits when it next crosses into or out of the kernel.
int
kkill(int pid)
{
  if (pid <= 0)
    return -ESRCH;   // kernel processes are pid 0
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED) {
      __atomic_store_n(&p->killed, 1, __ATOMIC_RELEASE);
      if (p->state == SLEEPING)
        p->state = RUNNABLE;   // wake it so it sees p->killed
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -ESRCH;
}

void
setkilled(struct proc *p)
{
  acquire(&p->lock);
  __atomic_store_n(&p->killed, 1, __ATOMIC_RELEASE);
  release(&p->lock);
}

// Without p->lock: every system call and trap asks, and the flag only ever goes
// from 0 to 1 while p lives (under p->lock), so a read that races with kill() just
// sees it at the next check.
int
killed(struct proc *p)
{
  return __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
}

// ^P on the console: list processes. Takes no locks, so that it works on a
// wedged machine.
void
procdump(void)
{
  static const char *states[] = {
    [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep",
    [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie",
  };

  printf("\n");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    long pages = p->p_vmspace ? pmap_resident_count(&p->p_vmspace->vm_pmap) : 0;
    printf("%d %s %s %ld pages\n", p->pid, states[p->state], p->name, pages);
  }
}
