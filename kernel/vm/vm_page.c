// Physical pages (see vm_page.h). At boot, vm_page_startup() carves the array of
// struct vm_page out of the start of free RAM and puts every other page on the
// free list. kalloc() and kfree() are this allocator seen by the rest of the
// kernel, which wants kernel addresses.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_object.h"
#include "vm/pmap_pv.h"
#include "vm/vm_pageout.h"

static struct {
  struct spinlock lock;
  vm_page_t array;        // one per page of [first, last)
  vm_paddr_t first, last;
  vm_page_t free;         // linked through rb.left
  uint64 nfree, npages;
} pages;

void
vm_page_startup(void)
{
  vm_paddr_t start, end;

  initlock(&pages.lock, "vm_page");
  md_physmem(&start, &end);
  start = round_page(start);
  end = trunc_page(end);
  // n pages need n structs: solve n * (PAGE_SIZE + sizeof) <= end - start.
  uint64 n = (end - start) / (PAGE_SIZE + sizeof(struct vm_page));
  pages.array = (vm_page_t)PHYS_TO_DMAP(start);
  pages.first = round_page(start + n * sizeof(struct vm_page));
  pages.last = pages.first + n * PAGE_SIZE;
  KASSERT(pages.last <= end, "vm_page_startup: pages end at 0x%lx, RAM at 0x%lx", pages.last, end);
  pages.npages = n;
  for (uint64 i = n; i-- > 0; ) {
    vm_page_t m = &pages.array[i];
    memset(m, 0, sizeof(*m));
    m->phys_addr = pages.first + i * PAGE_SIZE;
    m->flags = PG_FREE;
    m->rb.left = (struct rb_node *)pages.free;
    pages.free = m;
  }
  pages.nfree = n;
}

vm_page_t
PHYS_TO_VM_PAGE(vm_paddr_t pa)
{
  KASSERT(pa >= pages.first && pa < pages.last, "PHYS_TO_VM_PAGE: 0x%lx is not in [0x%lx, 0x%lx)", pa, pages.first, pages.last);
  return &pages.array[(pa - pages.first) / PAGE_SIZE];
}

// The last VM_PAGE_RESERVE free pages are the pageout daemon's: it needs a few
// to free many (swap metadata), and must never wait for itself. (Who is asking
// matters only then: the common case does not look.) A page, its contents what
// they were, or 0; in DEBUG=1 kernels also 0 when the caller's failnth count runs
// out.
vm_page_t
vm_page_alloc_nozero(void)
{
  if (alloc_fail())
    return 0;
  acquire(&pages.lock);
  vm_page_t m = pages.free;
  if (m && pages.nfree <= VM_PAGE_RESERVE && !vm_pageout_is_daemon())
    m = 0;
  if (m) {
    pages.free = (vm_page_t)m->rb.left;
    pages.nfree--;
  }
  uint64 nfree = pages.nfree;
  release(&pages.lock);
  if (vm_pageout_needed(nfree))
    vm_pageout_wakeup();   // (a no-op for the daemon itself: it is running)
  if (m == 0)
    return 0;
  KASSERT(m->flags == PG_FREE, "vm_page_alloc: free page 0x%lx has flags 0x%x", m->phys_addr, m->flags);
  m->flags = 0;
  m->rb.left = 0;
  m->object = 0;
  m->wire_count = 0;
  return m;
}

// The same, zeroed: most callers' page. (A fault zeroes its own only if it does
// not copy into it: copy-on-write and swap-in overwrite all of it.)
vm_page_t
vm_page_alloc(void)
{
  vm_page_t m = vm_page_alloc_nozero();

  if (m)
    memset(VM_PAGE_TO_KVA(m), 0, PAGE_SIZE);
  return m;
}

void
vm_page_free(vm_page_t m)
{
  KASSERT(!(m->flags & PG_FREE), "vm_page_free: page 0x%lx freed twice", m->phys_addr);
  KASSERT(m->object == 0, "vm_page_free: page 0x%lx still in object %d at %ld", m->phys_addr, m->object->id, (long)m->pindex);
  if (m->queue != PQ_NONE)
    panic("vm_page_free: page 0x%lx still on queue %d", m->phys_addr, m->queue);
  // A page still mapped would be reused while a process can still reach it.
  if (m->pv_count != 0)
    panic("vm_page_free: page 0x%lx is still mapped in %d page tables (first at va 0x%lx)",
          m->phys_addr, m->pv_count, m->pv_list ? m->pv_list->pv_va : 0);
  m->flags = PG_FREE;
  acquire(&pages.lock);
  m->rb.left = (struct rb_node *)pages.free;
  pages.free = m;
  pages.nfree++;
  release(&pages.lock);
}

uint64 vm_page_count(void) { return pages.npages; }

// Pages with a wire_count: objlock (as every wire_count).
static uint64 wired_pages;

void
vm_page_wire(vm_page_t m)
{
  if (m->wire_count == 0xffff)
    panic("vm_page_wire: page 0x%lx wired %d times", (long)m->phys_addr, m->wire_count);
  if (m->wire_count++ == 0)
    wired_pages++;
}

void
vm_page_unwire(vm_page_t m)
{
  if (m->wire_count == 0)
    panic("vm_page_unwire: page 0x%lx (object %p pindex %ld) not wired",
          (long)m->phys_addr, m->object, (long)m->pindex);
  if (--m->wire_count == 0)
    wired_pages--;
}

uint64 vm_page_wired_count(void) { return wired_pages; }

// ---------------------------------------------------------------- kalloc

void
kinit(void)
{
  vm_page_startup();
}

// Pages kalloc has out (kernel stacks, page tables, zones, pipes): for vmstat, so
// that a leak-checking test that finds pages missing can say where they are.
static uint64 kmem_pages;

void *
kalloc(void)
{
  vm_page_t m = vm_page_alloc();
  if (m == 0)
    return 0;
  m->flags |= PG_KERNEL;
  __atomic_add_fetch(&kmem_pages, 1, __ATOMIC_RELAXED);
  return VM_PAGE_TO_KVA(m);
}

void
kfree(void *va)
{
  vm_paddr_t pa = DMAP_TO_PHYS(va);
  if ((pa & (PAGE_SIZE - 1)) || pa < pages.first || pa >= pages.last)
    panic("kfree: bad page 0x%lx", pa);
  vm_page_t m = PHYS_TO_VM_PAGE(pa);
  KASSERT(m->flags & PG_KERNEL, "kfree: page 0x%lx (flags 0x%x) is not a kalloc page", m->phys_addr, m->flags);
  m->flags &= ~PG_KERNEL;
  __atomic_sub_fetch(&kmem_pages, 1, __ATOMIC_RELAXED);
  vm_page_free(m);
}

uint64 kmemcount(void) { return __atomic_load_n(&kmem_pages, __ATOMIC_RELAXED); }

uint64
kfreecount(void)
{
  return pages.nfree;
}

// ---------------------------------------------------------------- object trees

vm_page_t
vm_page_lookup(struct vm_object *object, vm_pindex_t pindex)
{
  struct rb_node *n = object->rb_memq.root;
  while (n) {
    vm_page_t m = rb_entry(n, struct vm_page, rb);
    if (pindex < m->pindex)
      n = n->left;
    else if (pindex > m->pindex)
      n = n->right;
    else
      return m;
  }
  return 0;
}

// The page of object with the least pindex at or above pindex, or 0 (FreeBSD's
// name); vm_page_next() walks on in pindex order.
vm_page_t
vm_page_find_least(struct vm_object *object, vm_pindex_t pindex)
{
  struct rb_node *n = object->rb_memq.root, *least = 0;

  while (n) {
    vm_page_t m = rb_entry(n, struct vm_page, rb);
    if (m->pindex >= pindex) {
      least = n;
      n = n->left;
    } else {
      n = n->right;
    }
  }
  return least ? rb_entry(least, struct vm_page, rb) : 0;
}

vm_page_t
vm_page_next(vm_page_t m)
{
  struct rb_node *n = rb_next(&m->rb);

  return n ? rb_entry(n, struct vm_page, rb) : 0;
}

void
vm_page_insert(vm_page_t m, struct vm_object *object, vm_pindex_t pindex)
{
  struct rb_node **link = &object->rb_memq.root, *parent = 0;
  int left = 0;

  KASSERT(m->object == 0, "vm_page_insert: page 0x%lx already in object %d at %ld", m->phys_addr, m->object->id, (long)m->pindex);
  while (*link) {
    vm_page_t p = rb_entry(*link, struct vm_page, rb);
    parent = *link;
    KASSERT(pindex != p->pindex, "vm_page_insert: index %ld of object %d taken by page 0x%lx", (long)pindex, object->id, p->phys_addr);
    left = pindex < p->pindex;
    link = left ? &(*link)->left : &(*link)->right;
  }
  m->object = object;
  m->pindex = pindex;
  rb_insert(&object->rb_memq, &m->rb, parent, left);
  object->resident_page_count++;
  vm_page_enqueue(m, PQ_ACTIVE);
}

void
vm_page_remove(vm_page_t m)
{
  struct vm_object *object = m->object;
  KASSERT(object != 0, "vm_page_remove: in no object");
  rb_remove(&object->rb_memq, &m->rb);
  object->resident_page_count--;
  m->object = 0;
  vm_page_dequeue(m);
}

// A busy page's owner does its I/O with the object lock dropped; whoever finds the
// page meanwhile sleeps here until the owner is done (vm_page_wakeup()).
void
vm_page_sleep_busy(vm_page_t m)
{
  vm_object_sleep(m);
}

void
vm_page_wakeup(vm_page_t m)
{
  m->flags &= ~PG_BUSY;
  wakeup(m);
}

void
vm_page_io_start(vm_page_t m)
{
  KASSERT(!(m->flags & PG_BUSY), "vm_page_io_start: page 0x%lx already busy", m->phys_addr);
  m->flags |= PG_BUSY;
  m->object->paging_in_progress++;
}

int
vm_page_io_finish(vm_page_t m)
{
  if (m->flags & PG_ORPHAN) {
    wakeup(m);
    vm_page_free(m);
    return 1;
  }
  m->object->paging_in_progress--;
  vm_page_wakeup(m);
  return 0;
}
