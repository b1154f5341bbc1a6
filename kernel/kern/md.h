// What the machine-independent kernel needs from a port. Each port
// (kernel/arch/<arch>/) implements every function here; nothing else in kern/, vm/,
// fs/ or dev/ knows which machine it runs on.
//
// Boot: the port's entry code gives each CPU a stack and runs on CPU 0 main(), on the
// others mp_main() (kern/main.c), after main() has called md_start_aps().
#ifndef _KERN_MD_H_
#define _KERN_MD_H_

#include <sys/types.h>

struct proc;
struct trapframe;

// main.c, called by the port
void main(void) __attribute__((noreturn));
void mp_main(void) __attribute__((noreturn));

// Bring-up.
void md_physmem(vm_paddr_t *start, vm_paddr_t *end); // free RAM after the kernel image
void md_intr_init(void);    // once: route device interrupts (PLIC, IOAPIC)
void md_cpu_init(void);     // on every CPU: trap vector, local interrupts, timer
int md_start_aps(void);     // let the other CPUs enter mp_main(); returns how many
void md_idle(void);         // wait for an interrupt (wfi, sti;hlt); called with them off,
                            // so one that is pending already ends the wait at once
void md_poweroff(int code) __attribute__((noreturn));
uint64 md_nanotime(void);   // nanoseconds since some moment at boot, the same clock
                            // on every CPU: for benchmarks
// The bounds [*lo, *hi) of this CPU's own stack (its boot stack, which stays its
// scheduler's), for backtrace(). Interrupts off.
void md_cpu_stack(uint64 *lo, uint64 *hi);

// Processes.
// Place p->trapframe in (or beside) p's kernel stack and set p->context so that
// swtch() to p runs forkret() on that stack.
void md_proc_setup(struct proc *p);
// Copy the parent's user registers to the child's, which returns 0 from fork.
void md_fork_child(struct proc *child, struct proc *parent);
// Set up user registers for a freshly exec'd image.
void md_exec_setregs(struct proc *p, uint64 entry, uint64 sp, uint64 argc, uint64 argv);
// Return to user mode in myproc(); never returns.
void usertrapret(void) __attribute__((noreturn));
// The system call number and arguments in a trapframe, and its return value.
int md_syscall_num(struct trapframe *tf);
uint64 md_syscall_arg(struct trapframe *tf, int n);
void md_syscall_ret(struct trapframe *tf, uint64 v);
uint64 md_user_pc(struct trapframe *tf);    // for diagnostics
uint64 md_user_sp(struct trapframe *tf);

// Inter-processor interrupts (kern/smp.c runs the protocol over them).
// md_ipi_send: raise the IPI on CPU cpu (not the caller's), whose handler calls
// smp_ipi_intr() and returns; it may be coalesced with one not yet taken.
// md_tlb_flush: drop this CPU's TLB entries of user addresses (of every address
// space: a port without ASIDs flushes whatever it has). Interrupts off.
void md_ipi_send(int cpu);
void md_tlb_flush(void);

// Upcalls (kern/kern_upcall.c). The interrupted user context is saved on the user
// stack in the port's struct upcall_frame (<machine/upcall.h>).
// md_upcall_enter: make tf call ctx(func, data, frame) in user mode, on the stack
// just below the frame at user address frame; frame 0: first save tf's registers
// in a new frame below the user's stack pointer (and red zone). 0, or -EFAULT (the
// stack cannot be written) with tf unchanged.
// md_upcall_restore: load tf from the frame at user address frame: 0, -EFAULT, or
// -EINVAL (its pc or stack pointer is not a user address), with tf unchanged.
int md_upcall_enter(struct trapframe *tf, uint64 frame, uint64 ctx, uint64 func, uint64 data);
int md_upcall_restore(struct trapframe *tf, uint64 frame);

// What every spin lock calls, inline where the port can (<machine/cpufunc.h>):
//   int md_cpuid(void)     index of this CPU, 0..ncpu-1, with interrupts off
//   void intr_on(void)     interrupts on this CPU on,
//   void intr_off(void)    off,
//   int intr_get(void)     and whether they are on.
#include <machine/cpufunc.h>

// Calls from a port's trap code into the MI kernel:
//   syscall()          kern/syscall.c: dispatch the system call in myproc()->trapframe
//   clockintr()        kern/clock.c:   once per tick, on CPU 0 only
//   yield()            kern/proc.c:    give up the CPU on a timer tick
//   uartintr()         dev/uart.c:     the console UART's interrupt
//   blk_intr()         the disk driver's interrupt, for any of its disks (the file
//                      system's and the swap disk, dev/swapdev.h)
//   smp_ipi_intr()     kern/smp.c:     the inter-processor interrupt
//   userret()          kern/subr_trap.c: the end of every trap from user mode
void syscall(void);
void userret(struct proc *p, int tick);

#endif
