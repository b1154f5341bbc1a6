// Physical-to-virtual tracking (see pmap_pv.h). One spin lock guards every page's
// list and every user PTE: a page's mappings change under different maps' locks (a
// shared file page, a copy-on-write page after fork), so no map lock covers them.
// The lists are short and each operation touches one, so one lock is enough for a
// teaching kernel. A second one, taken after it, guards the pmaps' busy counts:
// the scheduler takes it with a process's lock held, so it must never wait for
// pv_lock, whose holders allocate memory (and may wake a process).
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "kern/smp.h"
#include "vm/vm.h"
#include "vm/pmap_pv.h"
#include "vm/vm_zone.h"

static struct vm_zone pvzone;
static struct spinlock pv_lock;       // every page's pv_list and pv_count, every user PTE
static struct spinlock busy_lock;     // every pmap's pm_busy, and curpmap
static pmap_t curpmap[NCPU];          // the pmap each CPU has loaded

void
pmap_pv_init(void)
{
  zinit(&pvzone, "pv_entry", sizeof(struct pv_entry));
  initlock(&pv_lock, "pv");
  initlock(&busy_lock, "pmap_busy");
}

void pmap_pv_lock(void) { acquire(&pv_lock); }
void pmap_pv_unlock(void) { release(&pv_lock); }

// Record that va maps pa in pmap. The pmap calls it before it writes the PTE, so
// that a shortage of memory leaves the page table as it was. Returns 0 or -ENOMEM.
int
pmap_pv_insert(pmap_t pmap, vm_offset_t va, vm_paddr_t pa)
{
  vm_page_t m = PHYS_TO_VM_PAGE(pa);
  struct pv_entry *pv = zalloc(&pvzone);

  if (pv == 0)
    return -ENOMEM;
  KASSERT(holding(&pv_lock), "pmap_pv_insert: pv lock not held");
  pv->pv_pmap = pmap;
  pv->pv_va = va;
  pv->pv_next = m->pv_list;
  m->pv_list = pv;
  m->pv_count++;
  return 0;
}

// Forget that va maps pa in pmap. The pair must be on the page's list: if it is
// not, a PTE was made or changed behind the pv code's back.
void
pmap_pv_remove(pmap_t pmap, vm_offset_t va, vm_paddr_t pa)
{
  vm_page_t m = PHYS_TO_VM_PAGE(pa);
  struct pv_entry **pp, *pv;

  KASSERT(holding(&pv_lock), "pmap_pv_remove: pv lock not held");
  for (pp = &m->pv_list; (pv = *pp) != 0; pp = &pv->pv_next)
    if (pv->pv_pmap == pmap && pv->pv_va == va)
      break;
  if (pv == 0)
    panic("pmap_pv_remove: page 0x%lx has no mapping at va 0x%lx in pmap %p (%d others)",
          pa, va, pmap, m->pv_count);
  *pp = pv->pv_next;
  m->pv_count--;
  zfree(&pvzone, pv);
}

// How many page tables map m (a snapshot: it may change once the lock is dropped).
int
pmap_pv_count(vm_page_t m)
{
  acquire(&pv_lock);
  int n = m->pv_count;
  release(&pv_lock);
  return n;
}

uint64 pmap_pv_total(void) { return zone_items(&pvzone); }

void
pmap_hold(pmap_t pmap)
{
  acquire(&busy_lock);
  pmap->pm_busy++;
  release(&busy_lock);
}

void
pmap_drop(pmap_t pmap)
{
  acquire(&busy_lock);
  if (pmap->pm_busy <= 0)
    panic("pmap_drop: pmap %p not held (pm_busy %d)", pmap, pmap->pm_busy);
  pmap->pm_busy--;
  release(&busy_lock);
}

// The new pmap is busy, and the CPU's, before the CPU can load its PTEs: a change
// to them from now on shoots this CPU down (pmap_shootdown). The old one stays
// busy until the CPU has flushed them.
pmap_t
pmap_switch_begin(pmap_t pmap)
{
  acquire(&busy_lock);
  if (pmap)
    pmap->pm_busy++;
  pmap_t old = curpmap[md_cpuid()];
  curpmap[md_cpuid()] = pmap;
  release(&busy_lock);
  return old;
}

void
pmap_switch_end(pmap_t old, pmap_t pmap)
{
  acquire(&busy_lock);
  if (old)
    old->pm_busy--;
  release(&busy_lock);
}

// Make the other CPUs that have pmap loaded forget its old translations. A CPU that
// loads it after busy_lock is taken here walks the page table as it is now.
void
pmap_shootdown(pmap_t pmap)
{
  uint64 cpus = 0;

  acquire(&busy_lock);
  for (int c = 0; c < NCPU; c++)
    if (curpmap[c] == pmap && c != md_cpuid())
      cpus |= 1UL << c;
  release(&busy_lock);
  if (cpus)
    smp_tlb_shootdown(cpus);
}

// Is any pmap that maps m busy? pv_lock and busy_lock held.
static int
page_in_busy_pmap(vm_page_t m)
{
  for (struct pv_entry *pv = m->pv_list; pv; pv = pv->pv_next)
    if (pv->pv_pmap->pm_busy > 0)
      return 1;
  return 0;
}

// busy_lock is held across the change: a CPU that loads one of these pmaps waits
// in pmap_switch_begin() until its PTEs are gone.
int
pmap_remove_all(vm_page_t m)
{
  struct pv_entry *pv;
  int r = 0;

  acquire(&pv_lock);
  acquire(&busy_lock);
  if (page_in_busy_pmap(m)) {
    r = -1;
  } else {
    while ((pv = m->pv_list) != 0) {
      pmap_pte_zap(pv->pv_pmap, pv->pv_va);
      __atomic_add_fetch(&pmap_vmspace(pv->pv_pmap)->vm_pageouts, 1, __ATOMIC_RELAXED);
      m->pv_list = pv->pv_next;
      m->pv_count--;
      zfree(&pvzone, pv);
    }
  }
  release(&busy_lock);
  release(&pv_lock);
  return r;
}

// pv_lock is held across each removal and its shootdown, as pmap_remove() holds it.
void
pmap_page_remove(vm_page_t m)
{
  struct pv_entry *pv;

  acquire(&pv_lock);
  while ((pv = m->pv_list) != 0) {
    pmap_pte_zap(pv->pv_pmap, pv->pv_va);
    pmap_shootdown(pv->pv_pmap);
    m->pv_list = pv->pv_next;
    m->pv_count--;
    zfree(&pvzone, pv);
  }
  release(&pv_lock);
}

int
pmap_ts_referenced(vm_page_t m)
{
  int n = 0;

  acquire(&pv_lock);
  acquire(&busy_lock);
  for (struct pv_entry *pv = m->pv_list; pv; pv = pv->pv_next)
    n += pv->pv_pmap->pm_busy > 0 || pmap_pte_clear_referenced(pv->pv_pmap, pv->pv_va);
  release(&busy_lock);
  release(&pv_lock);
  return n;
}
