// The swap pager (see swap_pager.h): the slot allocator and each object's slots.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "dev/swapdev.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_zone.h"
#include "vm/swap_pager.h"

// A bitmap of slots in use, one bit per page of swap: 256 MiB of swap at most (a
// bigger disk is used up to that), 8 KiB of bitmap.
#define SWAP_MAXPAGES (256UL * 1024 * 1024 / PAGE_SIZE)

static struct {
  struct spinlock lock;
  uint64 map[SWAP_MAXPAGES / 64];
  uint64 npages, used;
  uint64 rotor;                // where the next search starts
} swap;

#define SWB_NPAGES 16           // page indexes per block of metadata

struct swblock {
  struct rb_node rb;            // in object->swblocks, by base
  vm_pindex_t base;             // a multiple of SWB_NPAGES
  int count;                    // slots in use below
  uint32 slot[SWB_NPAGES];
};

static struct vm_zone swbzone;

void
swap_pager_init(void)
{
  initlock(&swap.lock, "swap");
  zinit(&swbzone, "swblock", sizeof(struct swblock));
  swap.npages = MIN(swapdev_npages(), SWAP_MAXPAGES);
}

uint64 swap_pager_total(void) { return swap.npages; }
uint64 swap_pager_used(void) { return swap.used; }
uint64 swap_pager_held(void) { return swap.used + swbzone.npages; }

uint32
swap_pager_alloc_slot(void)
{
  uint32 slot = 0;

  acquire(&swap.lock);
  for (uint64 i = 0; i < swap.npages && slot == 0; i++) {
    uint64 s = (swap.rotor + i) % swap.npages;
    if ((swap.map[s / 64] & (1UL << (s % 64))) == 0) {
      swap.map[s / 64] |= 1UL << (s % 64);
      swap.used++;
      swap.rotor = s + 1;
      slot = s + 1;
    }
  }
  release(&swap.lock);
  return slot;
}

void
swap_pager_free_slot(uint32 slot)
{
  uint64 s = slot - 1;

  acquire(&swap.lock);
  if (slot == 0 || s >= swap.npages || (swap.map[s / 64] & (1UL << (s % 64))) == 0)
    panic("swap_pager_free_slot: slot %d is not in use (%ld slots)", slot, swap.npages);
  swap.map[s / 64] &= ~(1UL << (s % 64));
  swap.used--;
  release(&swap.lock);
}

// The block that holds base (a multiple of SWB_NPAGES), or 0; in *parent and *left
// where to insert it if it is missing.
static struct swblock *
swb_find(struct vm_object *object, vm_pindex_t base, struct rb_node **parent, int *left)
{
  struct rb_node *n = object->swblocks.root;

  *parent = 0;
  *left = 0;
  while (n) {
    struct swblock *b = rb_entry(n, struct swblock, rb);
    if (base == b->base)
      return b;
    *parent = n;
    *left = base < b->base;
    n = *left ? n->left : n->right;
  }
  return 0;
}

// The block that holds pindex's slot, if object has one.
static struct swblock *
swb_of(struct vm_object *object, vm_pindex_t pindex)
{
  struct rb_node *parent;
  int left;

  if (object->swap_count == 0)
    return 0;
  return swb_find(object, pindex - pindex % SWB_NPAGES, &parent, &left);
}

uint32
swap_pager_lookup(struct vm_object *object, vm_pindex_t pindex)
{
  struct swblock *b = swb_of(object, pindex);

  return b ? b->slot[pindex % SWB_NPAGES] : 0;
}

int
swap_pager_set(struct vm_object *object, vm_pindex_t pindex, uint32 slot)
{
  vm_pindex_t base = pindex - pindex % SWB_NPAGES;
  struct rb_node *parent;
  int left;
  struct swblock *b = swb_find(object, base, &parent, &left);

  if (b == 0) {
    if ((b = zalloc(&swbzone)) == 0)
      return -ENOMEM;
    b->base = base;
    rb_insert(&object->swblocks, &b->rb, parent, left);
  }
  if (b->slot[pindex % SWB_NPAGES] != 0)
    panic("swap_pager_set: index %ld of object %d has slot %d already", pindex, object->id,
          b->slot[pindex % SWB_NPAGES]);
  b->slot[pindex % SWB_NPAGES] = slot;
  b->count++;
  object->swap_count++;
  return 0;
}

// Clear one slot of b, freeing b when it empties; the slot is returned.
static uint32
swb_clear(struct vm_object *object, struct swblock *b, int i)
{
  uint32 slot = b->slot[i];

  if (slot == 0)
    return 0;
  b->slot[i] = 0;
  object->swap_count--;
  if (--b->count == 0) {
    rb_remove(&object->swblocks, &b->rb);
    zfree(&swbzone, b);
  }
  return slot;
}

uint32
swap_pager_take(struct vm_object *object, vm_pindex_t pindex)
{
  struct swblock *b = swb_of(object, pindex);

  return b ? swb_clear(object, b, pindex % SWB_NPAGES) : 0;
}

void
swap_pager_free_range(struct vm_object *object, vm_pindex_t start, vm_pindex_t end)
{
  struct rb_node *n = rb_first(&object->swblocks);

  while (n && object->swap_count > 0) {
    struct swblock *b = rb_entry(n, struct swblock, rb);
    n = rb_next(n);
    for (int i = 0; i < SWB_NPAGES; i++) {
      vm_pindex_t pi = b->base + i;
      if (b->slot[i] == 0 || pi < start || (end != 0 && pi >= end))
        continue;
      int emptied = b->count == 1;     // then swb_clear() frees b
      swap_pager_free_slot(swb_clear(object, b, i));
      if (emptied)
        break;
    }
  }
}

static uint64 pageins, pageouts;   // objlock

uint64 swap_pager_pageins(void) { return pageins; }
uint64 swap_pager_pageouts(void) { return pageouts; }

// Read object's page pindex back from swap into fresh, a page of nobody's, which
// goes into object at once, busy: a fault that finds it waits until it is read.
// The slot is freed once the page is read. objlock held, dropped meanwhile.
void
swap_pager_getpage(struct vm_object *object, vm_pindex_t pindex, vm_page_t fresh)
{
  uint32 slot = swap_pager_take(object, pindex);

  if (slot == 0)
    panic("swap_pager_getpage: index %ld of object %d is not in swap", pindex, object->id);
  vm_page_insert(fresh, object, pindex);
  vm_page_io_start(fresh);
  vm_object_unlock();
  swapdev_rw(slot - 1, VM_PAGE_TO_KVA(fresh), 0);
  vm_object_lock();
  swap_pager_free_slot(slot);
  pageins++;
  vm_page_io_finish(fresh);
}

// Write m, an anonymous page that no page table maps, to swap and free it: 0; or -1
// with m still resident (swap is full, or no memory for the metadata). The slot is
// recorded only when the write is done: freed before that (the object dying, or
// the range unmapped), it could be reused by another write racing with this one.
// objlock held, dropped meanwhile.
int
swap_pager_putpage(vm_page_t m)
{
  uint32 slot = swap_pager_alloc_slot();

  if (slot == 0)
    return -1;
  vm_page_io_start(m);
  vm_object_unlock();
  swapdev_rw(slot - 1, VM_PAGE_TO_KVA(m), 1);
  vm_object_lock();
  if (vm_page_io_finish(m)) {
    swap_pager_free_slot(slot);
    return 0;
  }
  if (swap_pager_set(m->object, m->pindex, slot) < 0) {
    swap_pager_free_slot(slot);
    return -1;
  }
  pageouts++;
  vm_page_remove(m);
  vm_page_free(m);
  return 0;
}
