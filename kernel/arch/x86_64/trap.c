// Traps on x86-64: every exception, interrupt and system call enters through the
// IDT (trapasm.S) to trap(), with a struct trapframe on the kernel stack.
//
// Why `int $64` for system calls rather than syscall/sysret: one entry path, one
// frame and one way back (iretq) for every trap. `syscall` does not switch stacks,
// so its entry needs swapgs and a per-CPU scratch area before it can save anything,
// and sysret to a non-canonical address faults in kernel mode on Intel CPUs; the few
// hundred cycles that `int` costs do not matter in a teaching kernel.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/smp.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"
#include "dev/cons.h"
#include <machine/x86.h>
#include <machine/uart.h>
#include "arch/x86_64/x86_64.h"

extern char trapvectors[];    // trapasm.S: vector n's stub at trapvectors + 16 * n
void trapret_to(struct trapframe *tf) __attribute__((noreturn));

static uint64 idt[256][2];

// An interrupt gate (interrupts off on entry, as the kernel expects), callable from
// user mode only for the system call vector.
static void
setgate(int n, uint64 handler, int dpl, int ist)
{
  idt[n][0] = (handler & 0xffff) | ((uint64)SEL(SEG_KCODE, 0) << 16) | ((uint64)ist << 32) |
              (0x8eUL << 40) | ((uint64)dpl << 45) | (((handler >> 16) & 0xffff) << 48);
  idt[n][1] = handler >> 32;
}

void
idt_init(void)
{
  for (int i = 0; i < 256; i++)
    setgate(i, (uint64)trapvectors + 16 * i, 0, 0);
  setgate(T_SYSCALL, (uint64)trapvectors + 16 * T_SYSCALL, DPL_USER, 0);
  setgate(T_DBLFLT, (uint64)trapvectors + 16 * T_DBLFLT, 0, 1);   // on its own stack
}

void
idt_load(void)
{
  struct { uint16 limit; uint64 base; } __attribute__((packed)) idtr = {
    sizeof(idt) - 1, (uint64)idt };
  asm volatile("lidt %0" : : "m"(idtr));
}

static const char *
trapname(int trapno)
{
  static const char *names[] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "FPU not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection fault",
    "page fault", "reserved", "x87 FPU error", "alignment check", "machine check",
    "SIMD exception" };
  if (trapno < NELEM(names))
    return names[trapno];
  return "unknown trap";
}

// Handle an interrupt: 2 for a timer tick, 1 for a device or an IPI, 0 if it was
// not one.
static int
devintr(int trapno)
{
  switch (trapno) {
  case T_TIMER:
    if (md_cpuid() == 0)
      clockintr();
    lapic_timer_rearm();
    lapic_eoi();
    return 2;
  case T_IRQ0 + COM1_IRQ:
    uartintr();
    lapic_eoi();
    return 1;
  case T_IRQ0 + IRQ_IDE:
    blk_intr();
    lapic_eoi();
    return 1;
  case T_IPI:                  // a TLB shootdown: answer, but never yield for it
    smp_ipi_intr();
    lapic_eoi();
    return 1;
  case T_IRQ0 + 7:
  case T_SPURIOUS:             // the APIC's own: no EOI
    return 1;
  }
  if (trapno > T_IRQ0 && trapno < T_IRQ0 + 24) {
    printf("unexpected interrupt %d on cpu %d\n", trapno, md_cpuid());
    lapic_eoi();
    return 1;
  }
  return 0;
}

// A trap from user mode: tf is myproc()->trapframe.
static void __attribute__((noreturn))
usertrap(struct trapframe *tf)
{
  struct proc *p = myproc();
  int which = 0;

  KASSERT(tf == p->trapframe, "usertrap: frame is not the process's trapframe");
  if (tf->trapno == T_SYSCALL) {
    if (killed(p))
      kexit(-1);
    intr_on();
    syscall();
  } else if ((which = devintr(tf->trapno)) != 0) {
    // done
  } else if (tf->trapno == T_PGFLT) {
    // Read cr2 before interrupts are on: another fault would overwrite it.
    uint64 va = rcr2();
    vm_prot_t access = (tf->err & 16) ? VM_PROT_EXECUTE :
                       (tf->err & 2) ? VM_PROT_WRITE : VM_PROT_READ;
    intr_on();
    vm_fault_trap(p, va, access);
  } else {
    printf("pid %d (%s): %s (trap %ld, error 0x%lx) at pc 0x%lx: killed\n",
           p->pid, p->name, trapname(tf->trapno), tf->trapno, tf->err, tf->rip);
    setkilled(p);
  }

  userret(p, which == 2);
  usertrapret();
}

// Return to user mode in myproc(), through its trapframe at the top of its kernel
// stack. The next trap from user mode must start on that same stack: set rsp0.
void
usertrapret(void)
{
  struct proc *p = myproc();

  intr_off();
  tss_set_rsp0(p->kstack + KSTACKSIZE);
  trapret_to(p->trapframe);
}

// A trap from kernel mode: only interrupts are expected.
static void
kerneltrap(struct trapframe *tf)
{
  int which;

  if ((which = devintr(tf->trapno)) == 0)
    panic("kernel trap: %s (trap %ld, error 0x%lx) on cpu %d at pc 0x%lx, va 0x%lx, rsp 0x%lx%s",
          trapname(tf->trapno), tf->trapno, tf->err, md_cpuid(), tf->rip, rcr2(), tf->rsp,
          zone_fault_note(rcr2()));
  if (which == 2 && myproc() != 0)
    yield();
}

// From alltraps (trapasm.S), with interrupts off.
void
trap(struct trapframe *tf)
{
  if ((tf->cs & 3) == DPL_USER)
    usertrap(tf);
  kerneltrap(tf);
}
