// The physical page allocator: a free list of 4 KiB pages, addressed through the
// direct map. (Lab 3's vm_page array replaces the bare list.)
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "vm/vm.h"

struct run {
  struct run *next;
};

static struct {
  struct spinlock lock;
  struct run *freelist;
  uint64 nfree;
  vm_paddr_t start, end;   // the managed physical range
} kmem;

void
kinit(void)
{
  initlock(&kmem.lock, "kmem");
  md_physmem(&kmem.start, &kmem.end);
  for (vm_paddr_t pa = round_page(kmem.start); pa + PAGE_SIZE <= kmem.end; pa += PAGE_SIZE)
    kfree((void *)PHYS_TO_DMAP(pa));
}

void
kfree(void *va)
{
  vm_paddr_t pa = DMAP_TO_PHYS(va);
  struct run *r = va;

  if ((pa % PAGE_SIZE) != 0 || pa < kmem.start || pa >= kmem.end)
    panic("kfree: bad page 0x%lx", pa);
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  kmem.nfree++;
  release(&kmem.lock);
}

void *
kalloc(void)
{
  struct run *r;

  acquire(&kmem.lock);
  r = kmem.freelist;
  if (r) {
    kmem.freelist = r->next;
    kmem.nfree--;
  }
  release(&kmem.lock);
  if (r)
    memset(r, 0, PAGE_SIZE);
  return r;
}

uint64
kfreecount(void)
{
  return kmem.nfree;
}
