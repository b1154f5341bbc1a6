// Traps on RISC-V: from user mode through uservec (uservec.S) to usertrap(), from
// supervisor mode through kernelvec to kerneltrap(), and back. Either way the CPU
// stays on the page table it was using: the running process's, which maps the kernel
// too (pmap.c), or the kernel's own in the scheduler.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/smp.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"
#include <machine/riscv.h>
#include <machine/memlayout.h>

void uservec(void);
void user_sret(struct trapframe *tf) __attribute__((noreturn));
void kernelvec(void);
static void trapret(struct proc *p) __attribute__((noreturn));
void uartintr(void);
int plic_claim(int hart);
void plic_complete(int hart, int irq);

// Timer ticks come from the Sstc timer: 10 MHz on QEMU's virt machine.
#define TIMEBASE_HZ 10000000UL

static void
timer_rearm(void)
{
  w_stimecmp(r_time() + TIMEBASE_HZ / HZ);
}

void plic_init_hart(int hart);

void
md_cpu_init(void)
{
  w_stvec((uint64)kernelvec);
  plic_init_hart(md_cpuid());
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);
  timer_rearm();
}

// Handle an interrupt, if scause says it is one: 2 for a timer tick, 1 for a device,
// 0 if it was not an interrupt.
static int
devintr(uint64 scause)
{
  if (scause == SCAUSE_IRQ_EXT) {
    int hart = md_cpuid();
    int irq = plic_claim(hart);
    if (irq == UART0_IRQ)
      uartintr();
    else if (irq == VIRTIO0_IRQ || irq == VIRTIO1_IRQ)
      blk_intr();          // the fs disk's or the swap disk's
    else if (irq)
      printf("unexpected interrupt irq=%d\n", irq);
    if (irq)
      plic_complete(hart, irq);
    return 1;
  }
  if (scause == SCAUSE_IRQ_SOFT) {
    // An IPI (md_ipi_send). Cleared first: one sent while it is handled is not lost.
    c_sip(SIP_SSIP);
    smp_ipi_intr();
    return 1;
  }
  if (scause == SCAUSE_IRQ_TIMER) {
    if (md_cpuid() == 0)
      clockintr();
    timer_rearm();
    return 2;
  }
  return 0;
}

static const char *
fault_reason(uint64 scause)
{
  switch (scause) {
  case SCAUSE_INST_FAULT: return "instruction page fault";
  case SCAUSE_LOAD_FAULT: return "load page fault";
  case SCAUSE_STORE_FAULT: return "store page fault";
  case 0: return "instruction misaligned";
  case 1: return "instruction access fault";
  case 2: return "illegal instruction";
  case 3: return "breakpoint";
  case 4: return "load misaligned";
  case 5: return "load access fault";
  case 6: return "store misaligned";
  case 7: return "store access fault";
  default: return "unknown trap";
  }
}

// A trap from user mode; uservec saved the user registers in p->trapframe and
// switched to the kernel stack below it.
void
usertrap(void)
{
  struct proc *p = myproc();
  uint64 scause = r_scause();
  int which = 0;

  KASSERT((r_sstatus() & SSTATUS_SPP) == 0, "usertrap: not from user mode");
  w_stvec((uint64)kernelvec);
  p->trapframe->epc = r_sepc();

  if (scause == SCAUSE_ECALL_U) {
    if (killed(p))
      kexit(-1);
    p->trapframe->epc += 4;    // return past the ecall
    intr_on();
    syscall();
  } else if ((which = devintr(scause)) != 0) {
    // done
  } else if (scause == SCAUSE_LOAD_FAULT || scause == SCAUSE_STORE_FAULT ||
             scause == SCAUSE_INST_FAULT) {
    uint64 va = r_stval();
    vm_prot_t access = scause == SCAUSE_STORE_FAULT ? VM_PROT_WRITE :
                       scause == SCAUSE_INST_FAULT ? VM_PROT_EXECUTE : VM_PROT_READ;
    intr_on();
    vm_fault_trap(p, va, access);
  } else {
    printf("pid %d (%s): %s at va 0x%lx, pc 0x%lx: killed\n",
           p->pid, p->name, fault_reason(scause), r_stval(), r_sepc());
    setkilled(p);
  }

  userret(p, which == 2);
  // From here until sret, a trap would go to uservec as if from user mode.
  intr_off();
  trapret(p);
}

void
usertrapret(void)
{
  // From here until sret, a trap would go to uservec as if from user mode.
  intr_off();
  trapret(myproc());
}

// Return to user mode in p, the process running here, with interrupts off; its page
// table is already this CPU's (the scheduler and exec activate it). usertrap()
// passes p rather than call myproc() again: with push_off() and pop_off() that is a
// dozen calls and returns, and QEMU looks up the target of each. A CSR write costs
// more, a trip through QEMU's main loop (see intr_off()): only the ones that change
// something are made.
static void
trapret(struct proc *p)
{
  struct trapframe *tf = p->trapframe;

  KASSERT(r_satp() == MAKE_SATP(DMAP_TO_PHYS(p->p_vmspace->vm_pmap.pm_root)),
          "usertrapret: not on the process's page table");
  w_stvec((uint64)uservec);
  w_sscratch((uint64)tf);
  tf->kernel_tp = r_tp();
  // sret goes to the mode in sstatus.SPP: user mode if it is 0, as a trap from user
  // mode left it, unless this CPU is still inside a kernel trap (a timer tick's
  // yield() that came back in another process). Supervisor interrupts are on in
  // user mode whatever sstatus.SIE says, so SPIE (what sret puts in SIE) needs no
  // care.
  if (r_sstatus() & SSTATUS_SPP)
    c_sstatus(SSTATUS_SPP);
  if (r_sepc() != tf->epc)
    w_sepc(tf->epc);
  user_sret(tf);
}

// A trap from supervisor mode: only interrupts are expected.
void
kerneltrap(void)
{
  uint64 sepc = r_sepc();
  uint64 sstatus = r_sstatus();
  uint64 scause = r_scause();
  int which;

  KASSERT((sstatus & SSTATUS_SPP) != 0, "kerneltrap: not from supervisor mode");
  KASSERT(intr_get() == 0, "kerneltrap: interrupts enabled");

  if ((which = devintr(scause)) == 0)
    panic("kernel trap: %s (scause 0x%lx) at pc 0x%lx, va 0x%lx%s",
          fault_reason(scause), scause, sepc, r_stval(), zone_fault_note(r_stval()));

  if (which == 2 && myproc() != 0)
    yield();

  // yield() may have run other traps that changed sepc and sstatus.
  w_sepc(sepc);
  w_sstatus(sstatus);
}
