// The RISC-V port's side of kern/md.h: CPUs, processes' registers, power.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include <machine/riscv.h>
#include <machine/memlayout.h>

extern char end[];       // first address after the kernel (kernel.ld)
extern uint64 boot_dtb;
int fdt_memory(uint64 dtb, uint64 *base, uint64 *size);
int fdt_count_cpus(uint64 dtb);
static int nharts = 1;
void plic_init(void);

// The hart number is the CPU's index (md_cpuid). Without an SBI (-bios none), the
// ACLINT's SSWI device is what lets supervisor mode interrupt another hart: the
// other ways are an M-mode shim that forwards the CLINT's machine software
// interrupt, or the AIA's IMSIC, which replaces the PLIC. The fence puts the
// caller's memory writes (the request) before the device write.
void
md_ipi_send(int cpu)
{
  asm volatile("fence w, o" : : : "memory");
  *(volatile uint32 *)ACLINT_SETSSIP(cpu) = 1;
}

void md_tlb_flush(void) { sfence_vma(); }

// Wait for an interrupt. The scheduler calls this with interrupts off: wfi returns
// when an interrupt enabled in sie is pending, whatever sstatus.SIE says (the
// privileged spec), so one that came after the scheduler's scan ends it at once;
// the scheduler then turns interrupts on and takes it.
void md_idle(void) { asm volatile("wfi"); }

// The first call reads the device tree, which lies in RAM that kinit() then frees:
// later calls get the remembered answer.
void
md_physmem(vm_paddr_t *start, vm_paddr_t *endp)
{
  static uint64 base, size;

  // The boot page table (entry.S) maps the device tree in the direct map.
  uint64 dtb = boot_dtb ? PHYS_TO_DMAP(boot_dtb) : 0;

  if (size == 0)
    nharts = fdt_count_cpus(dtb);
  if (size == 0 && fdt_memory(dtb, &base, &size) < 0) {
    printf("no memory node in the device tree: assuming 128 MiB\n");
    base = RAMBASE;
    size = 128L << 20;
  }
  *start = round_page(DMAP_TO_PHYS(end));
  *endp = base + size;
}

void
md_intr_init(void)
{
  plic_init();
}

static volatile int aps_may_start;

int
md_start_aps(void)
{
  __sync_synchronize();
  aps_may_start = 1;
  return MIN(nharts, NCPU) - 1;
}

// Other harts come here from start(), in supervisor mode with paging off.
void
ap_entry(void)
{
  while (aps_may_start == 0)
    ;
  __sync_synchronize();
  mp_main();
}

// QEMU's sifive_test device: 0x5555 powers off with status 0, (code << 16) | 0x3333
// with status code.
void
md_poweroff(int code)
{
  volatile uint32 *test = (volatile uint32 *)SIFIVE_TEST;
  *test = code == 0 ? 0x5555 : ((uint32)code << 16) | 0x3333;
  for (;;)
    ;
}

void
md_proc_setup(struct proc *p)
{
  // The trapframe sits at the top of the kernel stack; the stack grows down below it.
  p->trapframe = (struct trapframe *)(p->kstack + KSTACKSIZE - sizeof(struct trapframe));
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = (uint64)p->trapframe;
}

void
md_fork_child(struct proc *child, struct proc *parent)
{
  *child->trapframe = *parent->trapframe;
  child->trapframe->a0 = 0;
}

void
md_exec_setregs(struct proc *p, uint64 entry, uint64 sp, uint64 argc, uint64 argv)
{
  memset(p->trapframe, 0, sizeof(*p->trapframe));
  p->trapframe->epc = entry;
  p->trapframe->sp = sp;
  p->trapframe->a0 = argc;
  p->trapframe->a1 = argv;
}

int md_syscall_num(struct trapframe *tf) { return (int)tf->a7; }

uint64
md_syscall_arg(struct trapframe *tf, int n)
{
  switch (n) {
  case 0: return tf->a0;
  case 1: return tf->a1;
  case 2: return tf->a2;
  case 3: return tf->a3;
  case 4: return tf->a4;
  case 5: return tf->a5;
  }
  panic("md_syscall_arg: %d", n);
}

void md_syscall_ret(struct trapframe *tf, uint64 v) { tf->a0 = v; }
uint64 md_user_pc(struct trapframe *tf) { return tf->epc; }
uint64 md_user_sp(struct trapframe *tf) { return tf->sp; }

// entry.S: 4 KiB per hart, in hart order.
void
md_cpu_stack(uint64 *lo, uint64 *hi)
{
  extern char boot_stack[];

  *lo = (uint64)boot_stack + 4096 * md_cpuid();
  *hi = *lo + 4096;
}

// The time CSR counts at 10 MHz on QEMU's virt machine. It is one clock for the whole
// machine, not a counter per hart (unlike x86's TSC): the privileged spec makes it a
// read-only shadow of the platform's mtime register, and QEMU answers every hart's
// read from the one mtime of the virt machine's CLINT. So a time read on one hart and
// compared with one read on another never goes backwards.
uint64
md_nanotime(void)
{
  return r_time() * 100;
}
