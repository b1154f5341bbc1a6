// Physical-to-virtual tracking (see pmap_pv.h). One spin lock guards every page's
// list: a page's mappings change under different maps' locks (a shared file page, a
// copy-on-write page after fork), so no map lock covers them. The lists are short
// and each operation touches one, so one lock is enough for a teaching kernel.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "vm/pmap_pv.h"
#include "vm/vm_zone.h"

static struct vm_zone pvzone;
static struct spinlock pv_lock;   // every page's pv_list and pv_count

void
pmap_pv_init(void)
{
  zinit(&pvzone, "pv_entry", sizeof(struct pv_entry));
  initlock(&pv_lock, "pv");
}

// Record that va maps pa in pmap. The pmap calls it before it writes the PTE, so
// that a shortage of memory leaves the page table as it was. Returns 0 or -ENOMEM.
int
pmap_pv_insert(pmap_t pmap, vm_offset_t va, vm_paddr_t pa)
{
  vm_page_t m = PHYS_TO_VM_PAGE(pa);
  struct pv_entry *pv = zalloc(&pvzone);

  if (pv == 0)
    return -ENOMEM;
  pv->pv_pmap = pmap;
  pv->pv_va = va;
  acquire(&pv_lock);
  pv->pv_next = m->pv_list;
  m->pv_list = pv;
  m->pv_count++;
  release(&pv_lock);
  return 0;
}

// Forget that va maps pa in pmap. The pair must be on the page's list: if it is
// not, a PTE was made or changed behind the pv code's back.
void
pmap_pv_remove(pmap_t pmap, vm_offset_t va, vm_paddr_t pa)
{
  vm_page_t m = PHYS_TO_VM_PAGE(pa);
  struct pv_entry **pp, *pv;

  acquire(&pv_lock);
  for (pp = &m->pv_list; (pv = *pp) != 0; pp = &pv->pv_next)
    if (pv->pv_pmap == pmap && pv->pv_va == va)
      break;
  if (pv == 0)
    panic("pmap_pv_remove: page 0x%lx has no mapping at va 0x%lx in pmap %p (%d others)",
          pa, va, pmap, m->pv_count);
  *pp = pv->pv_next;
  m->pv_count--;
  release(&pv_lock);
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
