// The x86-64 port's side of kern/md.h: boot, per-CPU segments, memory, power.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include <machine/x86.h>
#include "arch/x86_64/x86_64.h"

extern char end[];                // kernel.ld: first address after the kernel
extern uint64 pvh_start_info;     // boot.S: the physical address QEMU gave in ebx

// The PVH start-of-day structure (Xen's arch-x86/hvm/start_info.h), version 1.
struct hvm_start_info {
  uint32 magic;                   // 0x336ec578
  uint32 version;
  uint32 flags;
  uint32 nr_modules;
  uint64 modlist_paddr;
  uint64 cmdline_paddr;
  uint64 rsdp_paddr;
  uint64 memmap_paddr;            // version 1: an array of hvm_memmap_entry
  uint32 memmap_entries;
  uint32 reserved;
};
struct hvm_memmap_entry {
  uint64 addr;
  uint64 size;
  uint32 type;                    // 1: usable RAM
  uint32 reserved;
};
#define HVM_START_MAGIC 0x336ec578
#define MAXRAM 16

struct memrange physram[MAXRAM];
int nphysram;

// The memory map, copied before anything can overwrite it. The boot page tables map
// only the first 4 GiB, so RAM above that is left out.
static void
pvh_init(void)
{
  struct hvm_start_info *si = (struct hvm_start_info *)PHYS_TO_DMAP(pvh_start_info);

  if (si->magic != HVM_START_MAGIC)
    for (;;)
      asm volatile("hlt");        // no console yet: in GDB, look at pvh_start_info
  if (si->version >= 1) {
    struct hvm_memmap_entry *e = (struct hvm_memmap_entry *)PHYS_TO_DMAP(si->memmap_paddr);
    for (uint32 i = 0; i < si->memmap_entries && nphysram < MAXRAM; i++) {
      uint64 s = e[i].addr, t = MIN(e[i].addr + e[i].size, 1UL << 32);
      if (e[i].type == 1 && s < t)
        physram[nphysram++] = (struct memrange){ s, t };
    }
  }
  if (nphysram == 0)                // no map: assume 128 MiB above 1 MiB
    physram[nphysram++] = (struct memrange){ 0x100000, 128UL << 20 };
  acpi_init(si->rsdp_paddr);
}

// The boot CPU, from boot.S, in long mode on the boot page tables.
void
x86_init(void)
{
  pvh_init();
  cpu_setup(0);
  main();
}

static volatile int ap_started;

// Another CPU, from the trampoline (boot.S), on its own boot stack.
void
ap_main(void)
{
  cpu_setup(apicid_to_cpu[lapic_id()]);
  __sync_synchronize();
  ap_started = 1;
  mp_main();
}

// ---------------------------------------------------------------- segments

// The 64-bit TSS: only rsp0 (the kernel stack for traps from user mode) and ist1
// (a stack of its own for double faults, so a kernel stack overflow gets a panic
// message rather than a triple fault) are used.
struct tss {
  uint32 reserved0;
  uint64 rsp[3];
  uint64 reserved1;
  uint64 ist[7];
  uint64 reserved2;
  uint16 reserved3;
  uint16 iomap_base;
} __attribute__((packed));

// Each CPU has its own GDT, because each has its own TSS, whose descriptor the CPU
// marks busy.
static struct {
  uint64 gdt[NSEGS];
  struct tss tss;
  char dfstack[1024] __attribute__((aligned(16)));
} mdcpu[NCPU] __attribute__((aligned(64)));

void
cpu_setup(int cpu)
{
  uint64 *gdt = mdcpu[cpu].gdt;
  struct tss *tss = &mdcpu[cpu].tss;
  uint64 base = (uint64)tss, limit = sizeof(*tss) - 1;

  gdt[0] = 0;
  gdt[SEG_KCODE] = 0x00af9b000000ffffUL;   // present, DPL 0, code, long mode
  gdt[SEG_KDATA] = 0x00cf93000000ffffUL;   // present, DPL 0, data, writable
  gdt[SEG_UDATA] = 0x00cff3000000ffffUL;   // DPL 3
  gdt[SEG_UCODE] = 0x00affb000000ffffUL;   // DPL 3
  gdt[SEG_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
                 ((limit >> 16) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[SEG_TSS + 1] = base >> 32;
  memset(tss, 0, sizeof(*tss));
  tss->ist[0] = (uint64)mdcpu[cpu].dfstack + sizeof(mdcpu[cpu].dfstack);
  tss->iomap_base = sizeof(*tss);          // no I/O bitmap: user mode gets no ports

  struct { uint16 limit; uint64 base; } __attribute__((packed)) gdtr = {
    sizeof(mdcpu[cpu].gdt) - 1, (uint64)gdt };
  asm volatile("lgdt %0" : : "m"(gdtr));
  // Reload the segment registers from the new GDT; cs needs a far return.
  asm volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss"
               : : "r"(SEL(SEG_KDATA, 0)));
  asm volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
               : : "i"(SEL(SEG_KCODE, 0)) : "rax", "memory");
  asm volatile("ltr %w0" : : "r"(SEL(SEG_TSS, 0)));

  if (cpu == 0)
    idt_init();
  idt_load();

  // No FPU for anyone (see arch.mk): x87 instructions raise #NM, SSE ones #UD.
  lcr0((rcr0() | CR0_EM | CR0_WP) & ~(uint64)(CR0_MP | CR0_TS));
  lcr4(rcr4() & ~(uint64)(CR4_OSFXSR | CR4_OSXMMEXCPT));
}

void
tss_set_rsp0(uint64 rsp0)
{
  mdcpu[md_cpuid()].tss.rsp[0] = rsp0;
}

// ---------------------------------------------------------------- md.h

// Which mdcpu[] GDT the CPU has loaded (cpu_setup, every CPU's first step): sgdt
// reads a register, where the local APIC's id is a device read, which QEMU makes
// slow, and mycpu() is in every lock. Before cpu_setup, the boot GDT: CPU 0.
int
md_cpuid(void)
{
  struct { uint16 limit; uint64 base; } __attribute__((packed)) gdtr;

  asm volatile("sgdt %0" : "=m"(gdtr));
  uint64 i = (gdtr.base - (uint64)mdcpu) / sizeof(mdcpu[0]);
  return i < NCPU ? i : 0;
}

// A fixed-vector IPI (T_IPI) to the CPU's local APIC.
void md_ipi_send(int cpu) { lapic_ipi(acpicpu_apicid[cpu], T_IPI); }


// Wait for an interrupt. The scheduler calls this with interrupts off; sti takes
// effect only after the next instruction, so no interrupt can slip in between and
// leave hlt sleeping until the next one. Returns with interrupts on.
void md_idle(void) { asm volatile("sti; hlt" : : : "memory"); }

// The largest piece of RAM above the kernel image.
void
md_physmem(vm_paddr_t *start, vm_paddr_t *endp)
{
  uint64 kend = round_page(DMAP_TO_PHYS(end)), best = 0, beststart = 0;

  for (int i = 0; i < nphysram; i++) {
    uint64 s = MAX(physram[i].start, kend), t = physram[i].end;
    if (s < t && t - s > best) {
      best = t - s;
      beststart = s;
    }
  }
  *start = beststart;
  *endp = beststart + best;
}

void
md_intr_init(void)
{
  // Mask the legacy 8259 PICs: every interrupt comes through the IOAPIC.
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  ioapic_init();
  ioapic_enable(4, 0);            // COM1 (machine/uart.h's COM1_IRQ)
  ioapic_enable(IRQ_IDE, 0);
  hpet_init();
}

// boot.S: CPUSTACK bytes per CPU, in CPU order.
void
md_cpu_stack(uint64 *lo, uint64 *hi)
{
  extern char cpustacks[];

  *lo = (uint64)cpustacks + CPUSTACK * md_cpuid();
  *hi = *lo + CPUSTACK;
}

void
md_cpu_init(void)
{
  lapic_init();
}

int
md_start_aps(void)
{
  extern char ap_tramp_start[], ap_tramp_end[], ap_cr3[], ap_stack[], ap_entry[];
  extern char boot_pml4[], cpustacks[];
  extern void ap_entry64(void);
  char *code = (char *)PHYS_TO_DMAP(AP_TRAMP);

  // The trampoline is in the .boot section, linked at its physical address, which
  // the kernel page table reaches only through the direct map.
  memmove(code, (char *)PHYS_TO_DMAP((uint64)ap_tramp_start), ap_tramp_end - ap_tramp_start);
  for (int i = 1; i < nacpicpu; i++) {
    *(uint64 *)(code + (ap_cr3 - ap_tramp_start)) = DMAP_TO_PHYS(boot_pml4);
    *(uint64 *)(code + (ap_stack - ap_tramp_start)) = (uint64)cpustacks + (i + 1) * CPUSTACK;
    *(uint64 *)(code + (ap_entry - ap_tramp_start)) = (uint64)ap_entry64;
    ap_started = 0;
    __sync_synchronize();
    lapic_startap(acpicpu_apicid[i], AP_TRAMP);
    // Seconds, even on a busy host where QEMU's CPU threads wait for a core.
    for (uint64 t0 = rdtsc(); !ap_started; )
      if (rdtsc() - t0 > 20000000000UL)
        panic("md_start_aps: cpu %d (apic id %d) did not start", i, acpicpu_apicid[i]);
  }
  return nacpicpu - 1;
}

// Power off. ACPI's soft-off (SLP_TYP 0 = S5 on QEMU, with SLP_EN) makes QEMU exit
// with status 0; for another code, isa-debug-exit exits with (code << 1) | 1.
void
md_poweroff(int code)
{
  intr_off();
  if (code == 0) {
    outw(acpi_pm1a_cnt, 0x2000);
    // QEMU exits a moment later, from its main loop; meanwhile, wait (port reads
    // are slow) before falling back to isa-debug-exit.
    for (int i = 0; i < 1000000; i++)
      inb(0x80);
  }
  outb(0xf4, code);
  for (;;)
    asm volatile("hlt");
}

// ---------------------------------------------------------------- processes

void
md_proc_setup(struct proc *p)
{
  // The trapframe is the top of the kernel stack, where a trap from user mode
  // pushes it; the kernel's own frames grow down below it.
  p->trapframe = (struct trapframe *)(p->kstack + KSTACKSIZE - sizeof(struct trapframe));
  memset(&p->context, 0, sizeof(p->context));
  p->context.rip = (uint64)forkret;
  p->context.rsp = (uint64)p->trapframe - 8;   // as if forkret had been called
}

void
md_fork_child(struct proc *child, struct proc *parent)
{
  *child->trapframe = *parent->trapframe;
  child->trapframe->rax = 0;
}

void
md_exec_setregs(struct proc *p, uint64 entry, uint64 sp, uint64 argc, uint64 argv)
{
  struct trapframe *tf = p->trapframe;

  memset(tf, 0, sizeof(*tf));
  tf->rip = entry;
  // Enter _start() as if it had been called: rsp + 8 aligned to 16.
  tf->rsp = (sp & ~15UL) - 8;
  tf->rdi = argc;
  tf->rsi = argv;
  tf->cs = SEL(SEG_UCODE, DPL_USER);
  tf->ss = SEL(SEG_UDATA, DPL_USER);
  tf->rflags = FL_IF;
}

int md_syscall_num(struct trapframe *tf) { return (int)tf->rax; }

uint64
md_syscall_arg(struct trapframe *tf, int n)
{
  switch (n) {
  case 0: return tf->rdi;
  case 1: return tf->rsi;
  case 2: return tf->rdx;
  case 3: return tf->rcx;
  case 4: return tf->r8;
  case 5: return tf->r9;
  }
  panic("md_syscall_arg: %d", n);
}

void md_syscall_ret(struct trapframe *tf, uint64 v) { tf->rax = v; }
uint64 md_user_pc(struct trapframe *tf) { return tf->rip; }
uint64 md_user_sp(struct trapframe *tf) { return tf->rsp; }
