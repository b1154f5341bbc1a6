// The HPET's main counter: md_nanotime(), one clock for the whole machine.
//
// Not the TSC: each CPU has its own, and nothing makes them agree (under QEMU's
// TCG they do not), so a time read on one CPU and compared with one read on another
// could go backwards. The HPET is a single device that every CPU reads, counting up
// at a fixed rate once enabled. QEMU's pc machine has one at 0xfed00000 (the ACPI
// HPET table says where); its registers are reached, uncached, via the direct map,
// like the LAPIC's and the IOAPIC's.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "vm/vm.h"
#include "arch/x86_64/x86_64.h"

// Register offsets, in 32-bit words.
#define CAP_LO      (0x000 / 4)
#define CAP_PERIOD  (0x004 / 4)     // femtoseconds per count
#define CONFIG      (0x010 / 4)
#define  CONFIG_ENABLE 0x1
#define COUNTER_LO  (0x0f0 / 4)
#define COUNTER_HI  (0x0f4 / 4)

#define FS_PER_NS   1000000UL
#define MAX_PERIOD  100000000UL     // 100 ns: the most the HPET specification allows

static volatile uint32 *hpet;
static uint64 period;               // femtoseconds per count; 0 if there is no HPET

// Once, on the boot CPU, before the other CPUs start: find the period and start
// the counter.
void
hpet_init(void)
{
  hpet = (volatile uint32 *)PHYS_TO_DMAP(hpet_pa);
  uint32 p = hpet[CAP_PERIOD];
  if (p == 0 || p > MAX_PERIOD) {
    printf("hpet: none at %p: md_nanotime counts clock ticks\n", (void *)hpet_pa);
    return;
  }
  period = p;
  hpet[CONFIG] |= CONFIG_ENABLE;
}

// Whether the HPET counts (md_nanotime is then its counter, not clock ticks).
int
hpet_running(void)
{
  return period != 0;
}

// The 64-bit counter, read as two 32-bit halves (which every HPET allows): read the
// high half again, and retry if the low half wrapped between the reads.
static uint64
hpet_count(void)
{
  uint32 hi, lo;

  do {
    hi = hpet[COUNTER_HI];
    lo = hpet[COUNTER_LO];
  } while (hi != hpet[COUNTER_HI]);
  return (uint64)hi << 32 | lo;
}

// Nanoseconds since about boot, the same on every CPU and never going backwards.
// Without an HPET, clock ticks: coarse, but still one clock for the machine.
uint64
md_nanotime(void)
{
  if (period == 0)
    return ticks * (1000000000UL / HZ);
  uint64 c = hpet_count();
  // Split the multiplication so that it cannot overflow for centuries.
  return c / FS_PER_NS * period + c % FS_PER_NS * period / FS_PER_NS;
}
