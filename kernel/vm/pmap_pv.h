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
// The lock of every pv list and of every user page table's PTEs: the MD pmap holds
// it while it changes a PTE, so that the pageout daemon's pmap_remove_all() and
// pmap_ts_referenced() see each page table whole.
void pmap_pv_lock(void);
void pmap_pv_unlock(void);
// Called by pmap_enter() before va maps pa in pmap: 0, or -ENOMEM with nothing done.
// pmap_pv_lock() held, as for pmap_pv_remove().
int pmap_pv_insert(pmap_t pmap, vm_offset_t va, vm_paddr_t pa);
// Called by the pmap when va stops mapping pa in pmap (the pair must be listed).
void pmap_pv_remove(pmap_t pmap, vm_offset_t va, vm_paddr_t pa);
int pmap_pv_count(vm_page_t m);     // the page's mappings, in all page tables
uint64 pmap_pv_total(void);         // every page's: the pv entries in use (vmstat)

// A pmap is busy (pm_busy > 0) while a CPU has it loaded, or the kernel holds it
// to copy through it (vm_copy.c): its TLB entries and the addresses the kernel
// took from it may be in use. The pageout daemon leaves the pages of busy pmaps
// alone: with no TLB shootdown yet, that is what keeps a page it takes from being
// used through a stale translation.
void pmap_hold(pmap_t pmap);
void pmap_drop(pmap_t pmap);
// The MD pmap_activate() switches this CPU from its pmap to pmap (either may be
// null) thus, interrupts off: begin; load the page table and flush; end(the old).
pmap_t pmap_switch_begin(pmap_t pmap);
void pmap_switch_end(pmap_t old, pmap_t pmap);
// After changing PTEs of pmap in a way that needs a TLB flush (a page or a right
// taken away), and flushing its own: flush every other CPU that has pmap loaded
// (processes that share a vmspace run on several at once), and return once each
// has. Any locks may be held.
void pmap_shootdown(pmap_t pmap);

// For the pageout daemon, object lock held: take m out of every page table that
// maps it (0), or change nothing if one of them is busy (-1). How many of m's
// mappings were used since the last call (a busy pmap's count as used), clearing
// their referenced bits.
int pmap_remove_all(vm_page_t m);
int pmap_ts_referenced(vm_page_t m);
// For a fault that copies m up into an object other maps share, object lock held:
// take m out of every page table that maps it, loaded ones too (shot down), so
// that each finds the copy at its next access, not m.
void pmap_page_remove(vm_page_t m);

// Each MD pmap gives the three above their PTE work: clear va's referenced bit and
// say whether it was set (only on a pmap that no CPU has loaded: no TLB holds its
// entries, so it does not flush); remove va's PTE (its pv entry is the caller's)
// and flush it from this CPU's TLB (other CPUs are the caller's: pmap_shootdown).
int pmap_pte_clear_referenced(pmap_t pmap, vm_offset_t va);
void pmap_pte_zap(pmap_t pmap, vm_offset_t va);

#endif
