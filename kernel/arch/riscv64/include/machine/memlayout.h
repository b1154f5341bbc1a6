// Physical memory map of QEMU's RISC-V virt machine. The kernel reaches the devices
// through the direct map (machine/vmparam.h): the macros below are the virtual
// addresses of the physical ones listed here.
//
//   0x00100000  SIFIVE_TEST  (power off / reboot)
//   0x02000000  CLINT (ACLINT MSWI and MTIMER: QEMU's aclint=on)
//   0x02f00000  ACLINT SSWI: supervisor software interrupts, for IPIs
//   0x0c000000  PLIC
//   0x10000000  UART0 (16550), IRQ 10
//   0x10001000  virtio-mmio slot 0: the disk (fs.img), IRQ 1
//   0x10002000  virtio-mmio slot 1: the swap disk (swap.img), if any, IRQ 2
//   0x80000000  RAM (RAMBASE): the kernel is loaded here by -kernel, with -bios none
#ifndef _MACHINE_MEMLAYOUT_H_
#define _MACHINE_MEMLAYOUT_H_

#include <machine/vmparam.h>

#define SIFIVE_TEST  PHYS_TO_DMAP(0x00100000L)
#define CLINT_MTIMECMP(hart) (0x02004000L + 8 * (hart))   // physical: machine mode only
// A write of 1 to hart h's register raises a supervisor software interrupt (SSIP)
// on h: the kernel's inter-processor interrupt, with no SBI or M-mode code.
#define ACLINT_SETSSIP(hart) (PHYS_TO_DMAP(0x02f00000L) + 4 * (hart))
#define UART0        PHYS_TO_DMAP(0x10000000L)
#define UART0_IRQ    10
#define VIRTIO0      PHYS_TO_DMAP(0x10001000L)
#define VIRTIO0_IRQ  1
#define VIRTIO1      PHYS_TO_DMAP(0x10002000L)
#define VIRTIO1_IRQ  2
#define PLIC         PHYS_TO_DMAP(0x0c000000L)
#define PLIC_PRIORITY          (PLIC + 0x0)
#define PLIC_SENABLE(hart)     (PLIC + 0x2080 + (hart) * 0x100)
#define PLIC_SPRIORITY(hart)   (PLIC + 0x201000 + (hart) * 0x2000)
#define PLIC_SCLAIM(hart)      (PLIC + 0x201004 + (hart) * 0x2000)

#endif
