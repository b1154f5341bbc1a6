// The platform-level interrupt controller: routes the UART's and the two disks'
// interrupts to every hart's supervisor mode.
#include <sys/types.h>
#include <machine/memlayout.h>

#define REG32(a) (*(volatile uint32 *)(a))

void
plic_init(void)
{
  // A non-zero priority enables the source.
  REG32(PLIC_PRIORITY + UART0_IRQ * 4) = 1;
  REG32(PLIC_PRIORITY + VIRTIO0_IRQ * 4) = 1;
  REG32(PLIC_PRIORITY + VIRTIO1_IRQ * 4) = 1;
}

void
plic_init_hart(int hart)
{
  REG32(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ) | (1 << VIRTIO1_IRQ);
  REG32(PLIC_SPRIORITY(hart)) = 0;   // take interrupts of any priority
}

int
plic_claim(int hart)
{
  return REG32(PLIC_SCLAIM(hart));
}

void
plic_complete(int hart, int irq)
{
  REG32(PLIC_SCLAIM(hart)) = irq;
}
