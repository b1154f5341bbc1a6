// Physical pages: one struct vm_page per page of RAM that the kernel manages.
// A page is free, or the kernel's own (kalloc), or belongs to a vm_object at a page
// index (pindex) and is found in the object's tree. A page in an object is also on
// one of the pageout daemon's two queues (vm_pageout.c): active (in use lately) or
// inactive (a candidate to be taken back), both under the object lock.
#ifndef _VM_VM_PAGE_H_
#define _VM_VM_PAGE_H_

#include <sys/types.h>
#include "kern/rbtree.h"
#include "vm/vm_map.h"

struct vm_object;
struct pv_entry;

struct vm_page {
  struct rb_node rb;          // in object->rb_memq, by pindex; free-list link when free
  struct vm_object *object;   // the owner, or null (free or kernel)
  vm_pindex_t pindex;         // index in the object
  vm_paddr_t phys_addr;
  uint16 flags;
  uint16 wire_count;          // wired mappings: never paged out while > 0
  uint32 pv_count;            // page tables that map it (pmap_pv.c's lock)
  struct pv_entry *pv_list;   // those mappings (pmap_pv.c's lock)
  struct vm_page *pq_next;    // its queue (object lock), a ring: see queue
  struct vm_page *pq_prev;
  uint8 queue;                // PQ_NONE, PQ_ACTIVE or PQ_INACTIVE
};
typedef struct vm_page *vm_page_t;

#define PG_FREE    0x0001   // on the free list
#define PG_KERNEL  0x0002   // kalloc()'s
#define PG_DIRTY   0x0004   // written through a mapping since it was read in
#define PG_BUSY    0x0008   // in I/O, the object lock dropped: wait for it
#define PG_ORPHAN  0x0010   // taken out of its dying object while busy: the I/O's
                            // owner frees it when done

#define PQ_NONE     0
#define PQ_ACTIVE   1
#define PQ_INACTIVE 2

void vm_page_startup(void);
vm_page_t vm_page_alloc(void);           // a zeroed page owned by nobody, or 0
vm_page_t vm_page_alloc_nozero(void);    // the same, not zeroed: for a caller that
                                         // fills all of it at once (copy, swap-in)
void vm_page_free(vm_page_t m);          // must be in no object and mapped nowhere
uint64 vm_page_count(void);              // pages managed
vm_page_t PHYS_TO_VM_PAGE(vm_paddr_t pa);
#define VM_PAGE_TO_PHYS(m) ((m)->phys_addr)
#define VM_PAGE_TO_KVA(m)  ((void *)PHYS_TO_DMAP((m)->phys_addr))

// Object page trees (vm_object.c's lock held).
vm_page_t vm_page_lookup(struct vm_object *object, vm_pindex_t pindex);
vm_page_t vm_page_find_least(struct vm_object *object, vm_pindex_t pindex);
vm_page_t vm_page_next(vm_page_t m);   // the next page of its object, by pindex, or 0
void vm_page_insert(vm_page_t m, struct vm_object *object, vm_pindex_t pindex);
void vm_page_remove(vm_page_t m);
// Busy pages (object lock held): wait until m is not busy (the lock is dropped
// while asleep: look m up again after); wake its waiters.
void vm_page_sleep_busy(vm_page_t m);
void vm_page_wakeup(vm_page_t m);
// I/O on a page of an object with the object lock dropped (swap, or a file's
// write-back): start makes m busy. Once the lock is held again, finish: if m's
// object let go of it meanwhile (PG_ORPHAN), frees it and returns 1; else m is
// not busy any more, 0. Either way its waiters are woken.
void vm_page_io_start(vm_page_t m);
int vm_page_io_finish(vm_page_t m);
// Wiring (object lock held): a wired page stays in memory (the pageout daemon
// passes it over) until every wiring is undone.
void vm_page_wire(vm_page_t m);
void vm_page_unwire(vm_page_t m);
uint64 vm_page_wired_count(void);      // pages wired at least once

#endif
