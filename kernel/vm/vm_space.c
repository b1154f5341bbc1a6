// Process address spaces: a map and its pmap. Memory is mapped, not allocated:
// exec, sbrk and mmap add entries, and pages arrive on the first touch (vm_fault).
// fork shares pages copy-on-write (vmspace_fork).
#include <sys/types.h>
#include <sys/resource.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/swap_pager.h"
#include "vm/vm_page.h"
#include "vm/vm_zone.h"
#include "vm/pmap_pv.h"
#include "vm/vm_pageout.h"

static struct vm_zone vmspace_zone;
static struct spinlock vmspace_lock;   // reference counts

void
vm_init(void)
{
  vm_map_startup();
  vm_object_init();
  pmap_pv_init();
  zinit(&vmspace_zone, "vmspace", sizeof(struct vmspace));
  initlock(&vmspace_lock, "vmspace");
}

// An empty address space spanning all of user space, or 0 if memory ran out.
struct vmspace *
vmspace_alloc(void)
{
  struct vmspace *vm = zalloc(&vmspace_zone);

  if (vm == 0)
    return 0;
  if (pmap_pinit(&vm->vm_pmap) < 0) {
    zfree(&vmspace_zone, vm);
    return 0;
  }
  vm_map_init(&vm->vm_map, VM_MIN_USER_ADDRESS, VM_MAXUSER_ADDRESS, &vm->vm_pmap);
  vm->vm_refcnt = 1;
  vm->vm_taddr = vm->vm_daddr = vm->vm_brk = VM_USER_TEXT;
  vm->vm_minsaddr = vm->vm_maxsaddr = USRSTACK;
  return vm;
}

void
vmspace_ref(struct vmspace *vm)
{
  acquire(&vmspace_lock);
  vm->vm_refcnt++;
  release(&vmspace_lock);
}

// Unmap all of vm's user space: its pages, objects and entries go; its page table
// stays, for pmap_release. Exit calls it when no other process uses vm, as BSD's
// vmspace_exit: the exiting process does the work on its own CPU, the zombie keeps
// only an empty map and its page table, and the wait that reaps it (init's, for an
// orphan) has little left to free. A reader holding a reference for a moment
// (procinfo, the pageout daemon) finds the map empty. Deleting whole entries clips
// none, so this needs no reservation (which could fail); the entries it frees come
// back as one, to be released. Map unlocked; may sleep.
void
vmspace_exit(struct vmspace *vm)
{
  vm_map_t map = &vm->vm_map;
  int count = 0;

  vm_map_lock(map);
  vm_map_delete(map, vm_map_min(map), vm_map_max(map), &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
}

// Drop a reference; the last one unmaps everything and frees the page table.
void
vmspace_free(struct vmspace *vm)
{
  acquire(&vmspace_lock);
  int last = (--vm->vm_refcnt == 0);
  release(&vmspace_lock);
  if (!last)
    return;
  KASSERT(vm->vm_upcalls == 0, "vmspace_free: %d upcalls left registered", vm->vm_upccount);
  vmspace_exit(vm);   // whatever exit left mapped
  pmap_release(&vm->vm_pmap);
  zfree(&vmspace_zone, vm);
}

// LAB fork 1: BEGIN
// LAB fork 1: STARTER
// // The page that object (or an object below it) has at pindex, reading a file page
// // in if need be; 0 if there is none: it reads as zeros.
// static vm_page_t
// fork_find_page(struct vm_object *object, vm_pindex_t pindex)
// {
//   vm_page_t m = 0;
//   int error;
//
//   vm_object_lock();
//   while (object && (m = vm_page_lookup(object, pindex)) == 0) {
//     if (object->type == OBJT_VNODE) {
//       vm_object_unlock();
//       return vnode_pager_getpage(object, pindex, &error);
//     }
//     pindex += atop(object->backing_object_offset);
//     object = object->backing_object;
//   }
//   vm_object_unlock();
//   return m;
// }
//
// // A new object with a copy of every page that entry maps: fork copies all of a
// // process's memory at once. Lab 3 makes it copy-on-write.
// static struct vm_object *
// fork_copy_pages(vm_map_entry_t entry)
// {
//   vm_pindex_t n = atop(entry->end - entry->start);
//   struct vm_object *copy = vm_object_allocate(OBJT_DEFAULT, n);
//
//   if (copy == 0)
//     return 0;
//   for (vm_pindex_t i = 0; i < n; i++) {
//     vm_page_t m = fork_find_page(entry->object.vm_object, atop(entry->offset) + i), c;
//     if (m == 0)
//       continue;
//     if ((c = vm_page_alloc()) == 0) {
//       vm_object_deallocate(copy);
//       return 0;
//     }
//     memmove(VM_PAGE_TO_KVA(c), VM_PAGE_TO_KVA(m), PAGE_SIZE);
//     vm_object_lock();
//     vm_page_insert(c, copy, i);
//     vm_object_unlock();
//   }
//   return copy;
// }
// LAB fork 1: END

// Copy one entry of the parent into the child's map, by its inheritance (see
// labs/03-fork.md). Both maps locked exclusively; one entry of *countp reserved.
// Returns KERN_SUCCESS, or KERN_RESOURCE_SHORTAGE (the parent's entry as it was,
// but perhaps with an object of its own now).
static int
vmspace_fork_entry(vm_map_t old_map, vm_map_entry_t old, vm_map_t new_map, int *countp)
{
  ASSERT_VM_MAP_LOCKED(old_map);
  ASSERT_VM_MAP_LOCKED(new_map);
  // LAB wiring 4: BEGIN
  // A wired entry's pages are copied for the child now (vm_wire.c).
  if (old->wired_count && old->inheritance == VM_INHERIT_COPY)
    return vm_fork_wired(old, new_map, countp);
  // LAB wiring 4: END
  switch (old->inheritance) {
  case VM_INHERIT_NONE:
    return KERN_SUCCESS;
  case VM_INHERIT_SHARE:
    // Both maps use the same top object: make sure there is one, and that it is
    // this entry's own (a pending copy is made now, or the two would part later).
    if (old->object.vm_object == 0) {
      vm_map_entry_allocate_object(old);
      if (old->object.vm_object == 0)
        return KERN_RESOURCE_SHORTAGE;
    }
    if (old->eflags & MAP_ENTRY_NEEDS_COPY) {
      if (!vm_object_shadow_try(&old->object.vm_object, &old->offset, old->end - old->start))
        return KERN_RESOURCE_SHORTAGE;
      old->eflags &= ~MAP_ENTRY_NEEDS_COPY;
    }
    // The parent's PTEs may map pages of an object below the shared one (the one a
    // shadow made just now put there, or one that read faults mapped read-only
    // since an earlier fork): the first write on either side copies such a page up
    // into the shared object, and the other side would go on seeing the old one.
    // Drop them: the parent faults again, through the shared object. (From now on
    // a read fault through the shared object copies the page up into it at once:
    // vm_fault.c's fault_page.)
    vm_object_lock();
    int below = old->object.vm_object->backing_object != 0;
    vm_object_unlock();
    if (below)
      pmap_remove(old_map->pmap, old->start, old->end);
    vm_object_reference(old->object.vm_object);
    break;
  case VM_INHERIT_COPY:
    // LAB fork 1: BEGIN
    if (old->object.vm_object) {
      // Share the object copy-on-write: both sides read it, the first write on
      // either side shadows it. Write-protect the parent's pages now.
      if (!(old->eflags & MAP_ENTRY_NEEDS_COPY)) {
        pmap_protect(old_map->pmap, old->start, old->end, old->protection & ~VM_PROT_WRITE);
        old->eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
      }
      vm_object_lock();
      vm_object_collapse(old->object.vm_object);
      vm_object_unlock();
      vm_object_reference(old->object.vm_object);
    }
    // (An entry with no object yet: both sides fill with zeros independently.)
    break;
    // LAB fork 1: STARTER
    // (void)old_map;
    // if (old->object.vm_object) {
    //   struct vm_object *copy = fork_copy_pages(old);
    //   if (copy == 0)
    //     return KERN_RESOURCE_SHORTAGE;
    //   vm_map_insert_copy(new_map, old, copy, 0, countp);
    //   return KERN_SUCCESS;
    // }
    // break;
    // LAB fork 1: END
  }
  vm_map_insert_copy(new_map, old, old->object.vm_object, old->offset, countp);
  return KERN_SUCCESS;
}

// The child's address space for fork: each entry shared, copied on write, or left
// out, by its inheritance. Returns 0 if memory ran out (nothing leaked).
struct vmspace *
vmspace_fork(struct vmspace *vm1)
{
  vm_map_t old_map = &vm1->vm_map;
  struct vmspace *vm2 = vmspace_alloc();
  int count, rv = KERN_SUCCESS;

  if (vm2 == 0)
    return 0;
  vm_map_lock(old_map);
  // A wiring under way (by a process that shares the map) has entries in
  // transition, half faulted in: let it finish first.
  while (old_map->flags & MAP_WIRING)
    vm_map_transition_wait(old_map);
  if ((count = vm_map_entry_reserve(old_map->nentries + MAP_RESERVE_COUNT)) < 0) {
    vm_map_unlock(old_map);
    vmspace_free(vm2);
    return 0;
  }
  vm_map_t new_map = &vm2->vm_map;
  vm_map_lock(new_map);
  for (vm_map_entry_t e = old_map->header.next; e != &old_map->header; e = e->next)
    if ((rv = vmspace_fork_entry(old_map, e, new_map, &count)) != KERN_SUCCESS)
      break;
  vm_map_unlock(new_map);
  // Marking entries copy-on-write may have made neighbours alike: merge them.
  for (vm_map_entry_t e = old_map->header.next; e != &old_map->header; e = e->next)
    vm_map_simplify_entry(old_map, e, &count);
  vm2->vm_tsize = vm1->vm_tsize;
  vm2->vm_dsize = vm1->vm_dsize;
  vm2->vm_ssize = vm1->vm_ssize;
  vm2->vm_taddr = vm1->vm_taddr;
  vm2->vm_daddr = vm1->vm_daddr;
  vm2->vm_maxsaddr = vm1->vm_maxsaddr;
  vm2->vm_minsaddr = vm1->vm_minsaddr;
  vm2->vm_brk = vm1->vm_brk;
  vm_map_unlock(old_map);
  vm_map_entry_release(count);
  if (rv != KERN_SUCCESS) {
    vmspace_free(vm2);
    return 0;
  }
  return vm2;
}

// Pages a fault may take besides the one it maps: page-table pages and a page of
// pv entries.
#define FAULT_SLACK 8

// The pages that a process can still get by touching them: the free pages but the
// daemon's reserve and a fault's slack, and free swap.
static uint64
pages_available(void)
{
  uint64 nfree = kfreecount(), keep = VM_PAGE_RESERVE + FAULT_SLACK;

  return (nfree > keep ? nfree - keep : 0) + swap_pager_total() - swap_pager_used();
}

// Whether npages more can be touched, the file cache given back for them if
// needed (and if it holds enough): so growing a process until sbrk fails (xv6's
// usertests counts free memory that way) ends with ENOMEM, not an OOM kill, and
// gets the same count whatever the cache holds.
static int
pages_obtainable(uint64 npages)
{
  uint64 avail = pages_available();

  return npages <= avail || vm_pageout_reclaim(npages - avail) == 0;
}

// Move the break by n bytes; *oldbrk gets the old break. Growth maps anonymous
// memory after the data (pages come on first touch); shrinking unmaps whole pages.
// Returns KERN_SUCCESS; or, with the break and the map unchanged,
// KERN_RESOURCE_SHORTAGE (more than memory and swap can give, or the map or the
// kernel is out of room) or KERN_INVALID_ARGUMENT (a shrink below the data).
int
vm_sbrk(struct vmspace *vm, long n, vm_offset_t *oldbrk)
{
  vm_offset_t brk = vm->vm_brk, from = round_page(brk);
  vm_map_t map = &vm->vm_map;

  *oldbrk = brk;
  if (n > 0) {
    // Refuse at once what could never be touched: no overcommit beyond what
    // memory and swap can give.
    if ((uint64)n >= VM_MAXUSER_ADDRESS - brk ||
        !pages_obtainable(atop(round_page(brk + n) - from)))
      return KERN_RESOURCE_SHORTAGE;
    vm_offset_t to = round_page(brk + n);
    if (to > from && vm_map_find(map, 0, 0, &from, to - from, 0, 0, VM_MAPTYPE_NORMAL,
                                 VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, 0) != KERN_SUCCESS)
      return KERN_RESOURCE_SHORTAGE;
    // After mlockall(MCL_FUTURE) the new heap is wired, or the break does not move.
    if (to > from && vm_map_wire_future(map, from, to,
                                        myproc()->p_rlimit[RLIMIT_MEMLOCK].rlim_cur)) {
      vm_map_remove(map, from, to);
      return KERN_RESOURCE_SHORTAGE;
    }
  } else if (n < 0) {
    if ((uint64)-n > brk - vm->vm_daddr)
      return KERN_INVALID_ARGUMENT;
    // Removal fails only when no map entry can be reserved for a clip (memory is
    // exhausted): then the pages are still mapped, so the break must stay.
    if (vm_map_remove(map, round_page(brk + n), from) != KERN_SUCCESS)
      return KERN_RESOURCE_SHORTAGE;
  }
  vm->vm_brk = brk + n;
  vm->vm_dsize = atop(round_page(vm->vm_brk) - vm->vm_daddr);
  return KERN_SUCCESS;
}
