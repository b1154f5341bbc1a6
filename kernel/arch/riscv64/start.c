// Machine-mode start-up: with -bios none there is no firmware, so each hart sets up
// the few machine-mode things the kernel needs and drops to supervisor mode.
#include <sys/types.h>
#include "kern/md.h"
#include <machine/riscv.h>

void ap_entry(void);
uint64 boot_dtb;   // physical address of the device tree, from the boot hart's a1

static void
mret_to(void (*fn)(void))
{
  uint64 x;

  // Return to supervisor mode at fn.
  asm volatile("csrr %0, mstatus" : "=r"(x));
  x = (x & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  asm volatile("csrw mstatus, %0" : : "r"(x));
  asm volatile("csrw mepc, %0" : : "r"((uint64)fn));
  asm volatile("mret");
}

void
start(uint64 hartid, uint64 dtb)
{
  if (hartid == 0)
    boot_dtb = dtb;
  // Supervisor mode runs with paging off until pmap_bootstrap_cpu().
  asm volatile("csrw satp, zero");
  // Delegate every exception and interrupt to supervisor mode.
  asm volatile("csrw medeleg, %0" : : "r"(0xffffL));
  asm volatile("csrw mideleg, %0" : : "r"(0xffffL));
  // Let supervisor mode access all of physical memory.
  asm volatile("csrw pmpaddr0, %0" : : "r"(0x3fffffffffffffL));
  asm volatile("csrw pmpcfg0, %0" : : "r"(0xfL));
  // The Sstc extension lets supervisor mode program its own timer (stimecmp), so no
  // machine-mode timer handler is needed; QEMU 7.2 or later has it.
  asm volatile("csrs 0x30a, %0" : : "r"(1L << 63));   // menvcfg.STCE
  asm volatile("csrs mcounteren, %0" : : "r"(2L));    // let S mode read time
  w_stimecmp(~0UL);
  w_tp(hartid);
  mret_to(hartid == 0 ? main : ap_entry);
}
