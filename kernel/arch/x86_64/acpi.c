// The little of ACPI the kernel reads: the MADT, for the CPUs' local APIC ids, the
// IOAPIC's address and ISA interrupt overrides, the FADT, for the power-off port, and
// the HPET table, for the HPET's address.
// Tables are read through the direct map; the boot page tables cover the first
// 4 GiB of physical memory, where QEMU's firmware puts them.
#include <sys/types.h>
#include "kern/systm.h"
#include "vm/vm.h"
#include "arch/x86_64/x86_64.h"

struct rsdp {
  char sig[8];                 // "RSD PTR "
  uint8 checksum;
  char oemid[6];
  uint8 revision;
  uint32 rsdt;                 // physical address of the RSDT
} __attribute__((packed));

struct sdt {                   // the header every table starts with
  char sig[4];
  uint32 length;
  uint8 revision, checksum;
  char oemid[6], oemtable[8];
  uint32 oemrev, creator, creatorrev;
} __attribute__((packed));

int nacpicpu = 1;
uint8 acpicpu_apicid[NCPU];
uint64 ioapic_pa = 0xfec00000;
uint64 hpet_pa = 0xfed00000;
uint16 acpi_pm1a_cnt = 0x604;  // PIIX4 as QEMU's firmware sets it up, if no FADT

// ISA IRQ overrides (MADT type 2): IRQ i is GSI isa_gsi[i], with MPS flags.
static uint32 isa_gsi[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static uint16 isa_flags[16];

static int
sum(void *p, int n)
{
  uint8 s = 0;
  for (int i = 0; i < n; i++)
    s += ((uint8 *)p)[i];
  return s;
}

static struct rsdp *
rsdp_scan(uint64 pa, uint64 len)
{
  for (uint64 a = pa; a < pa + len; a += 16) {
    struct rsdp *r = (struct rsdp *)PHYS_TO_DMAP(a);
    if (memcmp(r->sig, "RSD PTR ", 8) == 0 && sum(r, 20) == 0)
      return r;
  }
  return 0;
}

static void
madt(struct sdt *t, int bsp_apicid)
{
  uint8 *p = (uint8 *)t + 44, *e = (uint8 *)t + t->length;

  acpicpu_apicid[0] = bsp_apicid;
  for (; p + 2 <= e && p[1] >= 2; p += p[1]) {
    switch (p[0]) {
    case 0:                    // processor local APIC: uid, APIC id, flags
      if ((*(uint32 *)(p + 4) & 1) && p[3] != bsp_apicid && nacpicpu < NCPU)
        acpicpu_apicid[nacpicpu++] = p[3];
      break;
    case 1:                    // IOAPIC: id, 0, address, GSI base
      if (*(uint32 *)(p + 8) == 0)
        ioapic_pa = *(uint32 *)(p + 4);
      break;
    case 2:                    // interrupt source override: bus, IRQ, GSI, flags
      if (p[3] < 16) {
        isa_gsi[p[3]] = *(uint32 *)(p + 4);
        isa_flags[p[3]] = *(uint16 *)(p + 8);
      }
      break;
    }
  }
}

void
acpi_init(uint64 rsdp_pa)
{
  struct rsdp *r = 0;

  if (rsdp_pa)
    r = (struct rsdp *)PHYS_TO_DMAP(rsdp_pa);
  else if ((r = rsdp_scan(0xe0000, 0x20000)) == 0)
    r = rsdp_scan((uint64)*(uint16 *)PHYS_TO_DMAP(0x40e) << 4, 1024);   // the EBDA
  int bsp = lapic_id();
  acpicpu_apicid[0] = bsp;
  if (r == 0)
    return;                    // one CPU, the default IOAPIC
  struct sdt *rsdt = (struct sdt *)PHYS_TO_DMAP(r->rsdt);
  uint32 *ent = (uint32 *)(rsdt + 1);
  for (int i = 0; i < (rsdt->length - sizeof(*rsdt)) / 4; i++) {
    struct sdt *t = (struct sdt *)PHYS_TO_DMAP(ent[i]);
    if (memcmp(t->sig, "APIC", 4) == 0)
      madt(t, bsp);
    else if (memcmp(t->sig, "FACP", 4) == 0 && *(uint32 *)((char *)t + 64) != 0)
      acpi_pm1a_cnt = *(uint32 *)((char *)t + 64);   // PM1a_CNT_BLK
    else if (memcmp(t->sig, "HPET", 4) == 0)
      hpet_pa = *(uint64 *)((char *)t + 44);          // the base address's address
  }
  for (int i = 0; i < nacpicpu; i++)
    apicid_to_cpu[acpicpu_apicid[i]] = i;
}

// The IOAPIC input for ISA IRQ irq, and whether it is level-triggered and active low
// (ISA's defaults are edge and high; MPS flags: polarity bits 0-1, trigger bits 2-3).
int
isa_irq_to_gsi(int irq, int *level, int *low)
{
  *low = (isa_flags[irq] & 3) == 3;
  *level = ((isa_flags[irq] >> 2) & 3) == 3;
  return isa_gsi[irq];
}
