// Processes and CPUs.
#ifndef _KERN_PROC_H_
#define _KERN_PROC_H_

#include <sys/types.h>
#include "kern/param.h"
#include "kern/spinlock.h"
#include <sys/resource.h>
#include <machine/frame.h>   // struct trapframe, struct context
#include <machine/cpufunc.h> // md_cpuid, for mycpu

// Per-CPU state.
struct cpu {
  struct proc *proc;       // the process running on this CPU, or null
  struct context context;  // swtch() here to enter the scheduler
  int noff;                // depth of push_off() nesting
  int intena;              // were interrupts enabled before push_off()?
  int id;                  // index in cpus[]
  int started;             // has this CPU reached the scheduler?
};

extern struct cpu cpus[NCPU];
extern int ncpu;           // CPUs that booted

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

// Per-process state.
struct proc {
  struct spinlock lock;

  // p->lock must be held when using these:
  enum procstate state;
  void *chan;                  // if non-zero, sleeping on chan
  int killed;                  // if non-zero, have been killed
  int xstate;                  // exit status to be returned to parent's wait
  int pid;

  // upc_lock (kern_upcall.c) must be held when using this:
  int p_upcallpend;            // an upcall dispatched to this process waits

  // wait_lock must be held when using this:
  struct proc *parent;

  // private to the process, so p->lock need not be held:
  uint64 kstack;               // kernel virtual address of the kernel stack (KSTACKSIZE)
  struct trapframe *trapframe; // user registers; placed by the port (md_proc_setup)
  struct context context;      // swtch() here to run the process
  struct vmspace *p_vmspace;   // user address space (0: a kernel process)
  void (*p_kmain)(void);       // a kernel process's body (kproc_start)
  struct file *ofile[NOFILE];  // open files
  struct inode *cwd;           // current directory
  struct inode *p_textvp;      // the file it exec'd (a reference), or 0
  uint p_textgen;              // the file's i_gen then: its image is that version's
  char p_path[MAXPATH];        // the path it exec'd it by
  struct rlimit p_rlimit[RLIM_NLIMITS];   // resource limits (getrlimit)
  uint64 p_upcall;             // user address of its struct upcall (upc_register), or 0
  int p_failnth;               // allocations until one fails (kern_failnth.c), or 0
  char name[16];               // process name, for debugging
};

extern struct proc proc[NPROC];

// This CPU's struct cpu. Interrupts must be off, or the process could move.
// Inline: every lock takes it.
static inline struct cpu *
mycpu(void)
{
  return &cpus[md_cpuid()];
}

struct proc *myproc(void);
void procinit(void);
void userinit(void);
struct proc *kproc_start(const char *name, void (*main)(void));
void wakeup_proc(struct proc *p, void *chan);
int kfork(int flags);
void kexit(int status) __attribute__((noreturn));
int kwait(uint64 addr);
int kkill(int pid);
int killed(struct proc *p);
void setkilled(struct proc *p);
void yield(void);
void sched(void);
void scheduler(void) __attribute__((noreturn));
void forkret(void);
void procdump(void);
struct vmspace;
int vmspace_users(struct vmspace *vm);   // processes using vm (a snapshot)
int growproc(long n, uint64 *oldbrk);    // vm_sbrk on the caller: KERN_*

// exec.c
int kexec(char *path, char **argv);

// swtch: save callee-saved registers in *old, load them from *new (arch's swtch.S).
void swtch(struct context *old, struct context *new);

#endif
