// The swap pager: where the pageout daemon puts anonymous pages it takes back, and
// where a fault finds them again. The swap disk (dev/swapdev.h) is an array of page
// slots; slot s is disk page s - 1 (0 means none). Each anonymous object keeps, per
// page index that is swapped out, its slot: the metadata, in blocks of
// SWB_NPAGES indexes (struct swblock) in a tree by index, as DragonFly's swblocks
// are hashed. An index has a resident page or a slot, never both: a page read
// back from swap gives its slot up at once (it will be written anew if it goes
// out again).
#ifndef _VM_SWAP_PAGER_H_
#define _VM_SWAP_PAGER_H_

#include <sys/types.h>
#include "vm/vm.h"
#include "vm/vm_page.h"

struct vm_object;

void swap_pager_init(void);            // after swapdev_init()
uint64 swap_pager_total(void);         // slots on the swap disk
uint64 swap_pager_used(void);          // slots holding a page
uint64 swap_pager_held(void);          // those, and the pages of their metadata

// Slots (their own lock; callable with the object lock held).
uint32 swap_pager_alloc_slot(void);    // a free slot, or 0 if swap is full
void swap_pager_free_slot(uint32 slot);

// An object's metadata (object lock held).
uint32 swap_pager_lookup(struct vm_object *object, vm_pindex_t pindex);   // or 0
// Record slot for pindex: 0, or -ENOMEM (no memory for a block) with nothing done.
int swap_pager_set(struct vm_object *object, vm_pindex_t pindex, uint32 slot);
// Forget pindex's slot and return it (still allocated), or 0.
uint32 swap_pager_take(struct vm_object *object, vm_pindex_t pindex);
// Free the slots of [start, end) (end 0: to the end), or all when the object dies.
void swap_pager_free_range(struct vm_object *object, vm_pindex_t start, vm_pindex_t end);

// Paging (objlock held, dropped during the I/O; see swap_pager.c).
void swap_pager_getpage(struct vm_object *object, vm_pindex_t pindex, struct vm_page *fresh);
int swap_pager_putpage(struct vm_page *m);
uint64 swap_pager_pageins(void);     // pages read back from swap, ever
uint64 swap_pager_pageouts(void);    // pages written to swap, ever

#endif
