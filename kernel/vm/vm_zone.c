// Zones (see vm_zone.h). Each page starts with a struct zpage header and holds
// per_page items after it; free items of a page are on that page's free list, and
// pages with any free item are on the zone's partial list. A page whose items are
// all free goes back to kalloc, unless the zone needs it for its reservations.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"

// Poison: what the words of a free item hold, an address mapped on neither port, so
// that following it is a page fault that reports the address (on x86-64 it is
// canonical: a non-canonical one raises #GP, which reports none; under Sv39 it is
// not sign-extended, a page fault too). Its bits 20-31 hold the zone's number, so
// that a fault at a field's offset beyond it still names the zone.
#define ZPOISON      0xffffdead00000000UL
#define ZPOISON_HIGH 0xffffffff00000000UL
#define ZONE_SHIFT   20
#define NZONE        32

// Debug kernels (make DEBUG=1) and the host tests (-DZONE_POISON) poison the whole
// of a freed item and check on allocation that nothing wrote to it meanwhile;
// every build poisons the link word, which is a free item's first.
#if defined(VM_DEBUG) || defined(ZONE_POISON)
#define POISON_ALL 1
#else
#define POISON_ALL 0
#endif

// A free item's first word links it to the next free item of its page: the zone's
// poison with the next item's number plus one (0 ends the list) in bits 4-15. Being
// poison, not a pointer, it faults if a stale pointer to the item is followed.
struct zitem {
  uint64 link;
};
#define ZLINK_MASK 0xfff0UL

struct zpage {
  struct zpage *next, *prev;   // on the partial list
  struct zitem *free;          // this page's free items
  int nfree;
  int onlist;
};

#define ZHDR ((sizeof(struct zpage) + 15) & ~15UL)

// The zones, by number. They are all made at boot on one CPU: no lock.
static struct vm_zone *zones[NZONE];
static int nzones;

// z's poison; a zone made again (the host tests do) keeps its number.
static uint64
zpoison_of(struct vm_zone *z)
{
  int i;

  for (i = 0; i < nzones && zones[i] != z; i++)
    ;
  if (i == nzones) {
    KASSERT(nzones < NZONE, "zinit: too many zones (%d)", nzones);
    zones[nzones++] = z;
  }
  return ZPOISON | (uint64)i << ZONE_SHIFT;
}

// Pages all zones hold, and items in use in them, read without the zones' locks:
// statistics (vmstat).
uint64
zone_page_count(void)
{
  uint64 n = 0;

  for (int i = 0; i < nzones; i++)
    n += __atomic_load_n(&zones[i]->npages, __ATOMIC_RELAXED);
  return n;
}

uint64
zone_items(struct vm_zone *z)
{
  return __atomic_load_n(&z->npages, __ATOMIC_RELAXED) * z->per_page -
         __atomic_load_n(&z->nfree, __ATOMIC_RELAXED);
}

uint64
zone_item_count(void)
{
  uint64 n = 0;

  for (int i = 0; i < nzones; i++)
    n += zone_items(zones[i]);
  return n;
}

// The name of the zone whose poison va is (a fault's address, a register), or 0.
const char *
zone_poison_name(uint64 va)
{
  uint64 i = (va >> ZONE_SHIFT) & 0xfff;

  if ((va & ZPOISON_HIGH) != ZPOISON || i >= (uint64)nzones)
    return 0;
  return zones[i]->name;
}

// For a kernel fault's panic message: " (poisoned memory of zone NAME: use after
// free?)" if va is a zone's poison, else "". The text is in a static buffer: good
// until the next call, which on the way to a panic is enough.
const char *
zone_fault_note(uint64 va)
{
  static char buf[96];
  const char *name = zone_poison_name(va);
  int n;

  if (name == 0)
    return "";
  safestrcpy(buf, " (poisoned memory of zone ", sizeof(buf));
  n = strlen(buf);
  safestrcpy(buf + n, name, sizeof(buf) - n);
  n = strlen(buf);
  safestrcpy(buf + n, ": use after free?)", sizeof(buf) - n);
  return buf;
}

static struct zitem *
zitem_at(struct vm_zone *z, struct zpage *pg, uint64 i)
{
  return (struct zitem *)((char *)pg + ZHDR + i * z->size);
}

// Put it at the head of pg's free list, poisoned.
static void
zpush(struct vm_zone *z, struct zpage *pg, struct zitem *it)
{
  uint64 n = pg->free ? ((char *)pg->free - (char *)zitem_at(z, pg, 0)) / z->size + 1 : 0;
  uint64 *w = (uint64 *)it;

  if (POISON_ALL)
    for (size_t k = 1; k < z->size / sizeof(uint64); k++)
      w[k] = z->poison;
  it->link = z->poison | n << 4;
  pg->free = it;
  pg->nfree++;
}

// The offset of the first word of free item it that is not poison, or -1.
static long
zpoison_broken(struct vm_zone *z, struct zitem *it)
{
  uint64 *w = (uint64 *)it;

  if ((it->link & ~ZLINK_MASK) != z->poison)
    return 0;
  if (POISON_ALL)
    for (size_t k = 1; k < z->size / sizeof(uint64); k++)
      if (w[k] != z->poison)
        return k * sizeof(uint64);
  return -1;
}

// Take the head of pg's free list. A write to it since it was freed is a bug
// elsewhere (a use after free): say whose item it was and where it was hit.
static struct zitem *
zpop(struct vm_zone *z, struct zpage *pg)
{
  struct zitem *it = pg->free;
  long off = zpoison_broken(z, it);

  if (off >= 0)
    panic("zone %s: free item %p was written at offset %ld (use after free?)", z->name,
          (void *)it, off);
  uint64 n = (it->link & ZLINK_MASK) >> 4;
  pg->free = n ? zitem_at(z, pg, n - 1) : 0;
  pg->nfree--;
  return it;
}

void
zinit(struct vm_zone *z, const char *name, size_t size)
{
  initlock(&z->lock, name);
  z->name = name;
  z->size = (MAX(size, sizeof(struct zitem)) + 15) & ~15UL;
  z->per_page = (PAGE_SIZE - ZHDR) / z->size;
  z->partial = 0;
  z->nfree = z->nreserved = z->npages = 0;
  z->poison = zpoison_of(z);
  KASSERT(z->per_page > 0, "zinit: %s: items of %ld bytes, bigger than a page", z->name, (long)z->size);
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
  for (int i = z->per_page - 1; i >= 0; i--)
    zpush(z, pg, zitem_at(z, pg, i));
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
  struct zitem *it = zpop(z, pg);

  if (pg->nfree == 0)
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

  if (zpoison_broken(z, it) < 0)
    panic("zone %s: item %p freed twice", z->name, item);
  zpush(z, pg, it);
  z->nfree++;
  if (!pg->onlist)
    partial_add(z, pg);
  if (pg->nfree == z->per_page && z->nfree - z->per_page >= z->nreserved) {
    // Give the page back at once, so that free memory returns to where it was
    // when the structures in it are gone (the tests check that).
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

  if (alloc_fail())
    return 0;
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
  if (alloc_fail())
    return -ENOMEM;
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
  KASSERT(z->nreserved >= (uint64)n, "zunreserve: %s: %d back, %ld reserved", z->name, n, (long)z->nreserved);
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
  KASSERT(z->nreserved > 0 && z->nfree >= z->nreserved, "zalloc_reserved: %s: %ld reserved, %ld free", z->name, (long)z->nreserved, (long)z->nfree);
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
