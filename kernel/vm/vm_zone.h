// Zones: allocators of fixed-size kernel structures (map entries, objects), carved
// from whole pages, with reservations. A caller that reserves n items first is
// sure that its next n zalloc_reserved() calls succeed, so that an operation
// half-way through (a clip in the middle of a delete) never fails for lack of memory.
//
// A free item's words are poison: an address in no address space that names the
// zone (see vm_zone.c), so that following a pointer read out of a freed item faults
// at once, and the fault's address says whose memory it was (zone_poison_name).
#ifndef _VM_VM_ZONE_H_
#define _VM_VM_ZONE_H_

#include <sys/types.h>
#include "kern/spinlock.h"

struct zpage;

struct vm_zone {
  struct spinlock lock;
  const char *name;
  size_t size;            // of one item
  int per_page;           // items in a page
  struct zpage *partial;  // pages with free items
  uint64 nfree;           // free items, over all pages
  uint64 nreserved;       // free items promised to reservations (nfree >= nreserved)
  uint64 npages;
  uint64 poison;          // what a free item's words hold (vm_zone.c)
};

void zinit(struct vm_zone *z, const char *name, size_t size);
// zalloc and zreserve fail also when the caller's failnth count runs out (DEBUG=1).
void *zalloc(struct vm_zone *z);                 // a zeroed item, or 0
void zfree(struct vm_zone *z, void *item);
int zreserve(struct vm_zone *z, int n);          // 0, or -ENOMEM with nothing reserved
void zunreserve(struct vm_zone *z, int n);
void *zalloc_reserved(struct vm_zone *z);        // one of the reserved items; never fails
void zfree_reserved(struct vm_zone *z, void *item); // free it back into the reservation
uint64 zone_page_count(void);                    // pages all zones hold (vmstat)
uint64 zone_item_count(void);                    // items in use in them (vmstat)
uint64 zone_items(struct vm_zone *z);            // items in use in z (vmstat)
const char *zone_poison_name(uint64 va);         // the zone whose poison va is, or 0
const char *zone_fault_note(uint64 va);          // for a fault's panic: names the zone, or ""

#endif
