// Zones (see vm_zone.h). Each page starts with a struct zpage header and holds
// per_page items after it; free items of a page are on that page's free list, and
// pages with any free item are on the zone's partial list. A page whose items are
// all free goes back to kalloc, unless the zone needs it for its reservations.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"

struct zitem {
  struct zitem *next;
};

struct zpage {
  struct zpage *next, *prev;   // on the partial list
  struct zitem *free;          // this page's free items
  int nfree;
  int onlist;
};

#define ZHDR ((sizeof(struct zpage) + 15) & ~15UL)

void
zinit(struct vm_zone *z, const char *name, size_t size)
{
  initlock(&z->lock, name);
  z->name = name;
  z->size = (MAX(size, sizeof(struct zitem)) + 15) & ~15UL;
  z->per_page = (PAGE_SIZE - ZHDR) / z->size;
  z->partial = 0;
  z->nfree = z->nreserved = z->npages = 0;
  KASSERT(z->per_page > 0, "zinit: item bigger than a page");
}

static void
partial_add(struct vm_zone *z, struct zpage *pg)
{
  pg->prev = 0;
  pg->next = z->partial;
  if (z->partial)
    z->partial->prev = pg;
  z->partial = pg;
  pg->onlist = 1;
}

static void
partial_del(struct vm_zone *z, struct zpage *pg)
{
  if (pg->prev)
    pg->prev->next = pg->next;
  else
    z->partial = pg->next;
  if (pg->next)
    pg->next->prev = pg->prev;
  pg->onlist = 0;
}

// Add a fresh page of free items. Called without the lock: kalloc may be slow.
static int
zgrow(struct vm_zone *z)
{
  struct zpage *pg = kalloc();
  if (pg == 0)
    return -ENOMEM;
  pg->free = 0;
  pg->nfree = 0;
  for (int i = z->per_page - 1; i >= 0; i--) {
    struct zitem *it = (struct zitem *)((char *)pg + ZHDR + i * z->size);
    it->next = pg->free;
    pg->free = it;
    pg->nfree++;
  }
  acquire(&z->lock);
  partial_add(z, pg);
  z->nfree += z->per_page;
  z->npages++;
  release(&z->lock);
  return 0;
}

// Take a free item. Caller holds the lock and knows there is one.
static void *
ztake(struct vm_zone *z)
{
  struct zpage *pg = z->partial;
  struct zitem *it = pg->free;

  pg->free = it->next;
  if (--pg->nfree == 0)
    partial_del(z, pg);
  z->nfree--;
  return it;
}

// Give an item back; if that empties its page and the reservations can spare the
// page's items, return the page to kalloc. Caller holds the lock.
static void
zput(struct vm_zone *z, void *item)
{
  struct zpage *pg = (struct zpage *)trunc_page((uint64)item);
  struct zitem *it = item;

  it->next = pg->free;
  pg->free = it;
  pg->nfree++;
  z->nfree++;
  if (!pg->onlist)
    partial_add(z, pg);
  if (pg->nfree == z->per_page && z->nfree - z->per_page >= z->nreserved + z->per_page) {
    // Keep one spare page's worth free beyond the reservations, so that a zone
    // whose use hovers around a page boundary does not call kalloc every time.
    partial_del(z, pg);
    z->nfree -= z->per_page;
    z->npages--;
    kfree(pg);
  }
}

void *
zalloc(struct vm_zone *z)
{
  void *it;

  for (;;) {
    acquire(&z->lock);
    if (z->nfree > z->nreserved)
      break;
    release(&z->lock);
    if (zgrow(z) < 0)
      return 0;
  }
  it = ztake(z);
  release(&z->lock);
  memset(it, 0, z->size);
  return it;
}

void
zfree(struct vm_zone *z, void *item)
{
  acquire(&z->lock);
  zput(z, item);
  release(&z->lock);
}

int
zreserve(struct vm_zone *z, int n)
{
  for (;;) {
    acquire(&z->lock);
    if (z->nfree >= z->nreserved + n) {
      z->nreserved += n;
      release(&z->lock);
      return 0;
    }
    release(&z->lock);
    if (zgrow(z) < 0)
      return -ENOMEM;
  }
}

void
zunreserve(struct vm_zone *z, int n)
{
  acquire(&z->lock);
  KASSERT(z->nreserved >= (uint64)n, "zunreserve: more than was reserved");
  z->nreserved -= n;
  // Items freed into a reservation (a big delete gives back many) kept their pages;
  // now that the reservation is gone, return the pages that are wholly free.
  struct zpage *pg = z->partial, *next;
  for (; pg && z->nfree - z->nreserved >= (uint64)z->per_page; pg = next) {
    next = pg->next;
    if (pg->nfree == z->per_page) {
      partial_del(z, pg);
      z->nfree -= z->per_page;
      z->npages--;
      kfree(pg);
    }
  }
  release(&z->lock);
}

void *
zalloc_reserved(struct vm_zone *z)
{
  acquire(&z->lock);
  KASSERT(z->nreserved > 0 && z->nfree >= z->nreserved, "zalloc_reserved: no reservation");
  z->nreserved--;
  void *it = ztake(z);
  release(&z->lock);
  memset(it, 0, z->size);
  return it;
}

void
zfree_reserved(struct vm_zone *z, void *item)
{
  acquire(&z->lock);
  z->nreserved++;
  zput(z, item);
  release(&z->lock);
}
