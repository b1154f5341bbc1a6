// Physical-to-virtual tracking: for each managed page, the list of (pmap, va)
// pairs that map it, as the BSD pmaps keep it (a pv entry per mapping). Both
// ports' pmaps call these on every change of a user PTE's page, so that the list
// is exactly the page's mappings. It gives each page its number of mappings
// (proportional RSS), and it is what a pageout daemon needs to take a page back
// from every address space that maps it.
#ifndef _VM_PMAP_PV_H_
#define _VM_PMAP_PV_H_

#include <sys/types.h>
#include "vm/vm.h"
#include "vm/vm_page.h"

struct pv_entry {
  pmap_t pv_pmap;             // the page table that maps the page
  vm_offset_t pv_va;          // at this user address
  struct pv_entry *pv_next;   // the page's next mapping
};

void pmap_pv_init(void);
// Called by pmap_enter() before va maps pa in pmap: 0, or -ENOMEM with nothing done.
int pmap_pv_insert(pmap_t pmap, vm_offset_t va, vm_paddr_t pa);
// Called by the pmap when va stops mapping pa in pmap (the pair must be listed).
void pmap_pv_remove(pmap_t pmap, vm_offset_t va, vm_paddr_t pa);
int pmap_pv_count(vm_page_t m);     // the page's mappings, in all page tables

#endif
