// The IOAPIC: routes ISA interrupts (COM1, the IDE disk) to a CPU's local APIC as
// vector T_IRQ0 + irq. Memory-mapped (0xfec00000, or as the MADT says), through an
// index register and a data window.
#include <sys/types.h>
#include "kern/systm.h"
#include "vm/vm.h"
#include <machine/x86.h>
#include "arch/x86_64/x86_64.h"

#define IOREGSEL 0x00
#define IOWIN    0x10
#define REG_VER  0x01
#define REG_TABLE 0x10          // redirection entry i: registers 0x10+2i (low), +1 (high)
#define  RTE_MASKED 0x10000
#define  RTE_LEVEL  0x08000
#define  RTE_LOW    0x02000

static volatile uint32 *
reg(int r)
{
  volatile uint32 *base = (volatile uint32 *)PHYS_TO_DMAP(ioapic_pa);
  base[IOREGSEL / 4] = r;
  return &base[IOWIN / 4];
}

// Mask every input.
void
ioapic_init(void)
{
  int n = ((*reg(REG_VER) >> 16) & 0xff) + 1;
  for (int i = 0; i < n; i++) {
    *reg(REG_TABLE + 2 * i) = RTE_MASKED | (T_IRQ0 + i);
    *reg(REG_TABLE + 2 * i + 1) = 0;
  }
}

// Send ISA IRQ irq to CPU cpu.
void
ioapic_enable(int irq, int cpu)
{
  int level, low;
  int gsi = isa_irq_to_gsi(irq, &level, &low);
  *reg(REG_TABLE + 2 * gsi + 1) = (uint32)acpicpu_apicid[cpu] << 24;
  *reg(REG_TABLE + 2 * gsi) = (T_IRQ0 + irq) | (level ? RTE_LEVEL : 0) | (low ? RTE_LOW : 0);
}
