// Wiring (lab 5): mlock(), mlockall() and their undoing keep a range's pages in
// memory, where the pageout daemon never takes them.
//
// An entry is wired when its wired_count is nonzero; MAP_ENTRY_USER_WIRED says
// mlock did it (vmlab has no other wiring, so the two go together). Every page of a
// wired entry is resident in the entry's own object, wired once for the entry
// (vm_page_wire): wiring copies a private mapping's pages up into its object as a
// write would (VM_PROT_OVERRIDE_WRITE), and fork gives a child a copy of a wired
// entry's pages instead of sharing them copy-on-write. So unwiring finds each page
// where wiring left it, whatever the page table holds meanwhile.
//
// Wiring marks the entries MAP_ENTRY_IN_TRANSITION and faults their pages in with
// the map unlocked: whoever else meets such an entry sets NEEDS_WAKEUP and sleeps
// (vm_map_transition_wait) until wiring is done with it.
#include <sys/types.h>
#include <sys/resource.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// Pages in user-wired entries, of every map (atomic): the system's limit (EAGAIN
// past it) is three quarters of memory, which leaves the rest to page in and out.
static uint64 user_wired;

// Add pages (or take them away) unless that passes the limit: 1, or 0 if it would.
static int
user_wired_add(long pages)
{
  uint64 old = __atomic_load_n(&user_wired, __ATOMIC_RELAXED), new;

  do {
    new = old + pages;
    if (pages > 0 && new > vm_page_count() / 4 * 3)
      return 0;
  } while (!__atomic_compare_exchange_n(&user_wired, &old, new, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
  return 1;
}

// Bytes of [start, end) in user-wired entries. Map locked (shared will do).
vm_size_t
vm_map_user_wired(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
  vm_size_t n = 0;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  for (vm_map_entry_t e = map->header.next; e != &map->header; e = e->next)
    if ((e->eflags & MAP_ENTRY_USER_WIRED) && e->end > start && e->start < end)
      n += MIN(e->end, end) - MAX(e->start, start);
  return n;
}

// Drop an entry's wiring: its pages may be paged out again. Map locked exclusively.
void
vm_map_entry_unwire(vm_map_t map, vm_map_entry_t entry)
{
  ASSERT_VM_MAP_LOCKED(map);
  vm_fault_unwire(map, entry, entry->start, entry->end);
  entry->wired_count = 0;
  entry->eflags &= ~MAP_ENTRY_USER_WIRED;
  user_wired_add(-(long)atop(entry->end - entry->start));
}

// LAB wiring 2: BEGIN
// Wait until no entry of [start, end) is in transition, and check the range: every
// page mapped (unless holes_ok) and, with want_wired, user-wired. Returns
// KERN_SUCCESS, or KERN_INVALID_ADDRESS (a hole, or an unwired entry) with the map
// still locked. Map locked exclusively (dropped while waiting).
static int
wire_check(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok, int want_wired)
{
  vm_map_entry_t e;

  ASSERT_VM_MAP_LOCKED(map);
again:
  if (!vm_map_lookup_entry(map, start, &e)) {
    if (!holes_ok)
      return KERN_INVALID_ADDRESS;
    e = e->next;
  }
  for (vm_offset_t a = start; e != &map->header && e->start < end; a = e->end, e = e->next) {
    if (e->eflags & MAP_ENTRY_IN_TRANSITION) {
      e->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
      vm_map_transition_wait(map);
      goto again;
    }
    if (!holes_ok && (e->start > a || (want_wired && !(e->eflags & MAP_ENTRY_USER_WIRED))))
      return KERN_INVALID_ADDRESS;
    if (!holes_ok && e->end >= end)
      return KERN_SUCCESS;
  }
  return holes_ok ? KERN_SUCCESS : KERN_INVALID_ADDRESS;
}

// Clear the transition of the entries of [start, end) that wiring marked. If a
// fault failed (at the entry that starts at failed_at), undo their wiring too: the
// pages of the entries below that one are wired, its own were unwired already, and
// those above it were never faulted. Map locked exclusively.
static void
wire_finish(vm_map_t map, vm_offset_t start, vm_offset_t end, int failed,
            vm_offset_t failed_at, int *countp)
{
  vm_map_entry_t first, e;
  int wake = 0;

  ASSERT_VM_MAP_LOCKED(map);
  if (!vm_map_lookup_entry(map, start, &first))
    first = first->next;
  for (e = first; e != &map->header && e->start < end; e = e->next) {
    if (!(e->eflags & MAP_ENTRY_IN_TRANSITION))
      continue;
    if (failed) {
      if (e->start < failed_at)
        vm_fault_unwire(map, e, e->start, e->end);
      e->wired_count = 0;
      e->eflags &= ~MAP_ENTRY_USER_WIRED;
      user_wired_add(-(long)atop(e->end - e->start));
    }
    wake |= e->eflags & MAP_ENTRY_NEEDS_WAKEUP;
    e->eflags &= ~(MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP);
  }
  if (wake)
    vm_map_transition_wakeup(map);
  vm_map_simplify_range(map, first->prev, end, countp);
}

// Wire [start, end) for the user (mlock): each entry marked USER_WIRED and each of
// its pages faulted in and wired. Entries user-wired already stay as they are; with
// holes_ok (mlockall) holes are skipped. Returns KERN_SUCCESS; KERN_INVALID_ADDRESS
// for a hole, with nothing changed; KERN_RESOURCE_SHORTAGE past the system's limit
// of wired memory, with nothing changed; or a fault's error, with the range as it
// was (what this call wired is unwired again). Takes the map lock itself.
int
vm_map_wire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok)
{
  vm_map_entry_t e;
  vm_offset_t failed_at = 0;
  int count, r, failed = 0;

  if (start >= end)
    return KERN_SUCCESS;
  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  // One wiring of the map at a time. Only the call that marked an entry in
  // transition may fault it in and finish it; with two at once (processes that
  // share the map), one could mark an entry of the other's range that the other
  // passed over, wired already, and that was munlocked meanwhile.
  while (map->flags & MAP_WIRING)
    vm_map_transition_wait(map);
  map->flags |= MAP_WIRING;
  if ((r = wire_check(map, start, end, holes_ok, 0)) != KERN_SUCCESS)
    goto out;
  vm_size_t add = 0;
  if (!vm_map_lookup_entry(map, start, &e))
    e = e->next;
  for (; e != &map->header && e->start < end; e = e->next)
    if (!(e->eflags & MAP_ENTRY_USER_WIRED))
      add += MIN(e->end, end) - MAX(e->start, start);
  if (!user_wired_add(atop(add))) {
    r = KERN_RESOURCE_SHORTAGE;
    goto out;
  }
  // Clip and mark the entries not wired yet: from here on they stay as they are
  // until finished. (Wired ones are not clipped: their halves could be merged
  // again while the map is unlocked, which the map's invariants forbid.)
  if (!vm_map_lookup_entry(map, start, &e))
    e = e->next;
  else if (!(e->eflags & MAP_ENTRY_USER_WIRED))
    vm_map_clip_start(map, e, start, &count);
  for (; e != &map->header && e->start < end; e = e->next) {
    if (e->eflags & MAP_ENTRY_USER_WIRED)
      continue;
    vm_map_clip_end(map, e, end, &count);
    e->eflags |= MAP_ENTRY_USER_WIRED | MAP_ENTRY_IN_TRANSITION;
    e->wired_count++;
  }
  // Fault each marked entry in, the map unlocked meanwhile: only this call changes
  // an entry in transition, so e is still good after.
  for (vm_offset_t a = start; a < end; ) {
    if (!vm_map_lookup_entry(map, a, &e)) {
      e = e->next;
      if (e == &map->header || e->start >= end)
        break;
    }
    a = e->end;
    if (!(e->eflags & MAP_ENTRY_IN_TRANSITION))
      continue;
    vm_map_unlock(map);
    r = vm_fault_wire(map, e, e->start, e->end);
    vm_map_lock(map);
    if (r != KERN_SUCCESS) {
      failed = 1;
      failed_at = e->start;
      break;
    }
  }
  wire_finish(map, start, end, failed, failed_at, &count);
out:
  map->flags &= ~MAP_WIRING;
  vm_map_transition_wakeup(map);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return r;
}
// LAB wiring 2: STARTER
// // Wire [start, end) for the user (mlock): each entry marked USER_WIRED and each of
// // its pages faulted in and wired. Entries user-wired already stay as they are; with
// // holes_ok (mlockall) holes are skipped. Returns KERN_SUCCESS; KERN_INVALID_ADDRESS
// // for a hole, with nothing changed; KERN_RESOURCE_SHORTAGE past the system's limit
// // of wired memory, with nothing changed; or a fault's error, with the range as it
// // was (what this call wired is unwired again). Takes the map lock itself.
// int
// vm_map_wire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok)
// {
//   (void)map;
//   (void)start;
//   (void)end;
//   (void)holes_ok;
//   printf("vm_map_wire: not written yet (lab 5, task 2)\n");
//   return KERN_FAILURE;
// }
// LAB wiring 2: END

// LAB wiring 3: BEGIN
// Unwire the user-wired entries of [start, end) (munlock). Without holes_ok, a
// hole or an entry that is not user-wired fails with KERN_INVALID_ADDRESS and
// nothing changed; with it (munlockall), both are skipped. Takes the map lock.
int
vm_map_unwire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok)
{
  vm_map_entry_t e, first;
  int count, r;

  if (start >= end)
    return KERN_SUCCESS;
  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  if ((r = wire_check(map, start, end, holes_ok, 1)) != KERN_SUCCESS)
    goto out;
  if (vm_map_lookup_entry(map, start, &first))
    vm_map_clip_start(map, first, start, &count);
  else
    first = first->next;
  for (e = first; e != &map->header && e->start < end; e = e->next) {
    if (!(e->eflags & MAP_ENTRY_USER_WIRED))
      continue;
    vm_map_clip_end(map, e, end, &count);
    vm_map_entry_unwire(map, e);
  }
  vm_map_simplify_range(map, first->prev, end, &count);
out:
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return r;
}
// LAB wiring 3: STARTER
// // Unwire the user-wired entries of [start, end) (munlock). Without holes_ok, a
// // hole or an entry that is not user-wired fails with KERN_INVALID_ADDRESS and
// // nothing changed; with it (munlockall), both are skipped. Takes the map lock.
// int
// vm_map_unwire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok)
// {
//   (void)map;
//   (void)start;
//   (void)end;
//   (void)holes_ok;
//   printf("vm_map_unwire: not written yet (lab 5, task 3)\n");
//   return KERN_FAILURE;
// }
// LAB wiring 3: END

// LAB wiring 4: BEGIN
// fork's copy of a wired entry that the child inherits by copy: a new object with
// a copy of each page, so that the parent's wired pages stay its own (sharing them
// copy-on-write would have the parent's next write copy a page away from under its
// wiring). The child's entry is not wired. Both maps locked exclusively; one entry
// of *countp reserved. Returns KERN_SUCCESS, or KERN_RESOURCE_SHORTAGE with nothing
// changed.
int
vm_fork_wired(vm_map_entry_t old, vm_map_t new_map, int *countp)
{
  vm_pindex_t n = atop(old->end - old->start), first = atop(old->offset);
  struct vm_object *copy;

  ASSERT_VM_MAP_LOCKED(new_map);
  if ((copy = vm_object_allocate(OBJT_DEFAULT, n)) == 0)
    return KERN_RESOURCE_SHORTAGE;
  for (vm_pindex_t i = 0; i < n; i++) {
    vm_page_t fresh = vm_page_alloc();
    if (fresh == 0) {
      vm_object_deallocate(copy);
      return KERN_RESOURCE_SHORTAGE;
    }
    vm_object_lock();
    vm_page_t m = vm_page_lookup(old->object.vm_object, first + i);
    if (m == 0)
      panic("vm_fork_wired: wired entry [0x%lx, 0x%lx) has no page %ld", old->start,
            old->end, (long)(first + i));
    memmove(VM_PAGE_TO_KVA(fresh), VM_PAGE_TO_KVA(m), PAGE_SIZE);
    vm_page_insert(fresh, copy, i);
    vm_object_unlock();
  }
  vm_map_insert_copy(new_map, old, copy, 0, countp);
  return KERN_SUCCESS;
}
// LAB wiring 4: END

// After [start, end) was mapped (mmap, sbrk, a stack's growth): wire it too if the
// map wires every future mapping (mlockall(MCL_FUTURE)). Returns KERN_SUCCESS (also
// when there is nothing to do), KERN_NO_SPACE if that would pass limit
// (RLIMIT_MEMLOCK, in bytes), or vm_map_wire()'s error. Takes the map lock itself.
int
vm_map_wire_future(vm_map_t map, vm_offset_t start, vm_offset_t end, uint64 limit)
{
  // LAB wiring 5: BEGIN
  vm_map_lock_read(map);
  int future = (map->flags & MAP_WIREFUTURE) != 0;
  vm_size_t wired = future ? vm_map_user_wired(map, map->min_offset, map->max_offset) : 0;
  vm_map_unlock_read(map);
  if (!future)
    return KERN_SUCCESS;
  if (wired + (end - start) > limit)
    return KERN_NO_SPACE;
  return vm_map_wire(map, start, end, 0);
  // LAB wiring 5: STARTER
  // (void)map;
  // (void)start;
  // (void)end;
  // (void)limit;
  // return KERN_SUCCESS;
  // LAB wiring 5: END
}
