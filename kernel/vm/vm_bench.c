// vmbench(): kernel-side timing for make bench. A map lookup takes well under a
// microsecond, far less than a system call, so it can only be timed in the kernel.
#include <sys/types.h>
#include <sys/vmmap.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"

// A small xorshift generator: the addresses need only be spread, not random.
static uint64
next_random(uint64 *state)
{
  uint64 x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

static long
bench_lookup(vm_map_t map, long n)
{
  vm_map_entry_t entry;
  uint64 seed = 0x9e3779b97f4a7c15UL;

  vm_map_lock(map);   // exclusive: the loop moves the hint
  vm_offset_t lo = map->header.next->start, hi = map->header.prev->end;
  uint64 t0 = md_nanotime();
  for (long i = 0; i < n && hi > lo; i++) {
    map->hint = &map->header;   // defeat the hint: every lookup walks the tree
    vm_map_lookup_entry(map, lo + next_random(&seed) % (hi - lo), &entry);
  }
  uint64 t1 = md_nanotime();
  vm_map_unlock(map);
  return (long)(t1 - t0);
}

long
sys_vmbench(void)
{
  int op = argint(0);
  long n = (long)argaddr(1);

  switch (op) {
  case VMBENCH_CLOCK:
    return (long)md_nanotime();
  case VMBENCH_LOOKUP:
    // Bounded: the loop holds the map lock and does not look for a kill.
    if (n < 0 || n > VMBENCH_MAXLOOKUPS)
      return -EINVAL;
    return bench_lookup(&myproc()->p_vmspace->vm_map, n);
  default:
    return -EINVAL;
  }
}
