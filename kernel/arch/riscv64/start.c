// Machine-mode start-up: with -bios none there is no firmware, so each hart sets up
// the few machine-mode things the kernel needs; entry.S then drops to supervisor mode.
// This runs at physical addresses, before paging: it must not use an absolute address
// (a pointer in a static table, say), which would be a virtual one.
#include <sys/types.h>
#include "kern/md.h"
#include <machine/riscv.h>
#include <machine/memlayout.h>

void start(uint64 hartid, uint64 dtb);
uint64 boot_dtb;   // physical address of the device tree, from the boot hart's a1

void
start(uint64 hartid, uint64 dtb)
{
  uint64 x;

  if (hartid == 0)
    boot_dtb = dtb;
  // mret goes to supervisor mode.
  asm volatile("csrr %0, mstatus" : "=r"(x));
  x = (x & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  asm volatile("csrw mstatus, %0" : : "r"(x));
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
  // The machine timer's compare register is 0 at reset, so its interrupt (MTIP)
  // would stay pending, though never taken. QEMU then sends every exit from
  // translated code (each trap, sret and CSR write) through its interrupt check,
  // which costs more than a short system call itself: push it out of reach.
  *(volatile uint64 *)(CLINT_MTIMECMP(hartid)) = ~0UL;
  w_tp(hartid);
}
