// Virtual memory maps (see vm_map.h).
//
// Locking: every function that reads a map needs it locked, shared at least;
// every one that changes it needs it exclusive (vm_map_lock(), which bumps
// timestamp). Functions below say which they take themselves. Entries are never
// allocated with the lock held: a caller reserves them first
// (vm_map_entry_reserve(), MAP_RESERVE_COUNT covers one insertion or deletion with
// its clipping) and passes the count down; create takes from it, dispose gives back.
//
// DragonFly keeps the entry reserve per CPU, which works because its kernel
// threads do not move between CPUs while they hold one. Ours can (a timer tick may
// move a process to another CPU in the middle of a system call), so here the
// reserve is a count against one zone: the same guarantee, one spinlock.
#include <sys/types.h>
#include "kern/systm.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_zone.h"
#include "vm/swap_pager.h"

static struct vm_zone mapentzone;
static struct spinlock transition_lock;   // orders transition waits and wakeups

void
vm_map_startup(void)
{
  zinit(&mapentzone, "vm_map_entry", sizeof(struct vm_map_entry));
  initlock(&transition_lock, "vm_map_transition");
}

// Reserve count entries for the operations that follow: count, or -ENOMEM.
int
vm_map_entry_reserve(int count)
{
  if (zreserve(&mapentzone, count) < 0)
    return -ENOMEM;
  return count;
}

// Give back what is left of a reservation.
void
vm_map_entry_release(int count)
{
  zunreserve(&mapentzone, count);
}

static vm_map_entry_t
vm_map_entry_create(int *countp)
{
  KASSERT(*countp > 0, "vm_map_entry_create: reservation used up (%d)", *countp);
  --*countp;
  return zalloc_reserved(&mapentzone);
}

static void
vm_map_entry_dispose(vm_map_entry_t entry, int *countp)
{
  ++*countp;
  zfree_reserved(&mapentzone, entry);
}

// ---------------------------------------------------------------- free gaps

// The free gap before entry is [gap_start, gap_end): what mmap may hand out there.

// Where the free gap before entry starts: the end of the previous entry, or the
// map's minimum for the first.
static vm_offset_t
gap_start(vm_map_t map, vm_map_entry_t entry)
{
  return entry->prev == &map->header ? map->min_offset : entry->prev->end;
}

// Where the free gap before entry ends: at entry's start, or, below a stack, where
// the stack's reservation begins (the reservation is kept for the stack's growth;
// it ends early if something was mapped into it with MAP_FIXED).
static vm_offset_t
gap_end(vm_map_t map, vm_map_entry_t entry)
{
  // LAB stack 1: BEGIN
  if (entry->aux.avail_ssize > 0) {
    vm_offset_t lo = gap_start(map, entry);
    if (entry->start - lo <= entry->aux.avail_ssize)
      return lo;
    return entry->start - entry->aux.avail_ssize;
  }
  // LAB stack 1: STARTER
  // (void)map;   // lab 4 reserves room below stacks
  // LAB stack 1: END
  return entry->start;
}

// The bytes of the hole below entry that its stack's reservation holds: 0 unless
// entry is a stack that may still grow. Map locked, shared at least.
vm_size_t
vm_map_stack_reserved(vm_map_t map, vm_map_entry_t entry)
{
  ASSERT_VM_MAP_LOCKED_ANY(map);
  return entry->start - gap_end(map, entry);
}

// ---------------------------------------------------------------- the free-gap tree

// LAB rbtree 5: BEGIN
// The tree's augment: max_free is the largest gap before any entry in the subtree.
static int
vm_map_augment(struct rb_tree *t, struct rb_node *n)
{
  vm_map_t map = rb_entry(t, struct vm_map, rb_root);
  vm_map_entry_t entry = rb_entry(n, struct vm_map_entry, rb_entry);
  vm_size_t m = gap_end(map, entry) - gap_start(map, entry);

  if (n->left)
    m = MAX(m, rb_entry(n->left, struct vm_map_entry, rb_entry)->max_free);
  if (n->right)
    m = MAX(m, rb_entry(n->right, struct vm_map_entry, rb_entry)->max_free);
  int changed = (m != entry->max_free);
  entry->max_free = m;
  return changed;
}
// LAB rbtree 5: END

// The gap before entry changed (its start, or its predecessor's end, moved).
static void
gap_changed(vm_map_t map, vm_map_entry_t entry)
{
  // LAB rbtree 5: BEGIN
  if (entry != &map->header)
    rb_augment_path(&map->rb_root, &entry->rb_entry);
  // LAB rbtree 5: STARTER
  // (void)map;
  // (void)entry;
  // LAB rbtree 5: END
}

// Give a stack entry its reservation: avail bytes below it that only its growth
// may use (lab 4). Map locked exclusively.
void
vm_map_set_avail_ssize(vm_map_t map, vm_map_entry_t entry, vm_size_t avail)
{
  ASSERT_VM_MAP_LOCKED(map);
  KASSERT(avail == 0 || (entry->eflags & MAP_ENTRY_STACK),
          "vm_map_set_avail_ssize: a reservation of 0x%lx below [0x%lx, 0x%lx), eflags 0x%x",
          (uint64)avail, entry->start, entry->end, entry->eflags);
  entry->aux.avail_ssize = avail;
  gap_changed(map, entry);
}

// ---------------------------------------------------------------- maps

void
vm_map_init(struct vm_map *map, vm_offset_t min, vm_offset_t max, pmap_t pmap)
{
  memset(&map->header, 0, sizeof(map->header));
  map->header.next = map->header.prev = &map->header;
  map->min_offset = min;
  map->max_offset = max;
  // LAB rbtree 5: BEGIN
  rb_init(&map->rb_root, vm_map_augment);
  // LAB rbtree 5: STARTER
  // rb_init(&map->rb_root, 0);   // lab 2 puts the entries in it
  // LAB rbtree 5: END
  lockinit(&map->lock, "vm_map");
  map->nentries = 0;
  map->size = 0;
  map->system_map = 0;
  map->hint = &map->header;
  map->timestamp = 0;
  map->first_free = &map->header;
  map->flags = 0;
  map->pmap = pmap;
  map->president_cache = map->president_ticks = 0;
  map->lookup_visits = 0;
  map->findspace_visits = 0;
}

// The end of the run of entries that starts at the map's minimum without a gap.
static vm_offset_t
run_end(vm_map_t map, vm_map_entry_t e)
{
  return e == &map->header ? map->min_offset : e->end;
}

// Is a before b in address order? The header comes before every entry.
static int
entry_before(vm_map_t map, vm_map_entry_t a, vm_map_entry_t b)
{
  if (b == &map->header)
    return 0;
  return a == &map->header || a->start < b->start;
}

// Keep first_free true: the last entry of the run that starts at the map's minimum
// without a gap (the header if the first entry leaves one). Call it after a change
// with `from` the last entry that, with everything before it, did not change. A
// run that ends before `from` is untouched; otherwise it is found again from there.
static void
first_free_fix(vm_map_t map, vm_map_entry_t from)
{
  vm_map_entry_t e = map->first_free;

  if (entry_before(map, e, from))
    return;
  e = from;
  while (e->next != &map->header && e->next->start == run_end(map, e))
    e = e->next;
  map->first_free = e;
}

// Link entry into the list after prev and into the tree. Map locked exclusively.
static void
vm_map_entry_link(vm_map_t map, vm_map_entry_t prev, vm_map_entry_t entry)
{
  ASSERT_VM_MAP_LOCKED(map);
  entry->prev = prev;
  entry->next = prev->next;
  prev->next->prev = entry;
  prev->next = entry;
  map->nentries++;

  // LAB rbtree 5: BEGIN
  // In the tree, entry goes right after prev: as prev's right child if that is
  // free, else as the left child of the leftmost node in prev's right subtree.
  struct rb_node *parent;
  int left;
  if (prev == &map->header) {
    parent = rb_first(&map->rb_root);
    left = 1;
  } else if (prev->rb_entry.right == 0) {
    parent = &prev->rb_entry;
    left = 0;
  } else {
    parent = prev->rb_entry.right;
    while (parent->left)
      parent = parent->left;
    left = 1;
  }
  entry->max_free = 0;
  rb_insert(&map->rb_root, &entry->rb_entry, parent, left);
  gap_changed(map, entry->next);
  // LAB rbtree 5: END
  first_free_fix(map, prev);
}

// Unlink entry from the list and the tree; the hint and first_free fall back to
// its predecessor. Map locked exclusively.
static void
vm_map_entry_unlink(vm_map_t map, vm_map_entry_t entry)
{
  vm_map_entry_t prev = entry->prev, next = entry->next;

  ASSERT_VM_MAP_LOCKED(map);
  if (map->hint == entry)
    map->hint = prev;
  prev->next = next;
  next->prev = prev;
  // LAB rbtree 5: BEGIN
  rb_remove(&map->rb_root, &entry->rb_entry);
  // LAB rbtree 5: END
  map->nentries--;
  gap_changed(map, next);
  if (map->first_free == entry)
    map->first_free = prev;
  first_free_fix(map, prev);
}

// Find the entry containing addr: TRUE and that entry, or FALSE and the entry
// before addr (the header if none). The hint is tried first; the tree after.
// Map locked, shared at least. The map and its entries are as they were.
//
// Why a lookup may set the hint under a shared lock, while other lookups read and
// set it too: every value stored is an entry of this map, and no entry can go while
// the lock is held shared (removal takes it exclusively); an aligned pointer is
// loaded and stored whole on both ports, so each lookup sees one entry or another,
// and a hint that another lookup changed meanwhile is only a guess that misses.
// (lookup_visits, a statistic, may lose a count the same way.)
boolean_t
vm_map_lookup_entry(vm_map_t map, vm_offset_t addr, vm_map_entry_t *entry)
{
  vm_map_entry_t cur = __atomic_load_n(&map->hint, __ATOMIC_RELAXED), last = &map->header;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  if (cur != &map->header && addr >= cur->start && addr < cur->end) {
    *entry = cur;
    return 1;
  }
  // LAB rbtree 6: BEGIN
  for (struct rb_node *n = map->rb_root.root; n; ) {
    map->lookup_visits++;
    cur = rb_entry(n, struct vm_map_entry, rb_entry);
    if (addr < cur->start) {
      n = n->left;
    } else if (addr >= cur->end) {
      last = cur;
      n = n->right;
    } else {
      map->hint = cur;
      *entry = cur;
      return 1;
    }
  }
  // LAB rbtree 6: STARTER
  // // A walk down the list: right, but O(n).
  // for (cur = map->header.next; cur != &map->header && cur->start <= addr; cur = cur->next) {
  //   map->lookup_visits++;
  //   if (addr < cur->end) {
  //     map->hint = cur;
  //     *entry = cur;
  //     return 1;
  //   }
  //   last = cur;
  // }
  // LAB rbtree 6: END
  *entry = last;
  return 0;
}

// LAB rbtree 8: BEGIN
// The lowest address >= start, aligned to align, where length bytes fit in the
// gap before some entry of n's subtree; 0 if none does.
static vm_offset_t
findspace_tree(vm_map_t map, struct rb_node *n, vm_offset_t start, vm_size_t length,
               vm_size_t align)
{
  while (n) {
    vm_map_entry_t e = rb_entry(n, struct vm_map_entry, rb_entry);
    map->findspace_visits++;
    if (e->max_free < length)
      return 0;   // no gap in this subtree is big enough
    // Gaps in the left subtree lie below e->start: useful only if above start.
    if (e->start > start && n->left) {
      vm_offset_t a = findspace_tree(map, n->left, start, length, align);
      if (a)
        return a;
    }
    vm_offset_t end = gap_end(map, e);
    if (end > start) {
      vm_offset_t a = MAX(gap_start(map, e), start);
      a = (a + align - 1) & ~(align - 1);
      if (a >= start && a < end && end - a >= length)
        return a;
    }
    n = n->right;
  }
  return 0;
}
// LAB rbtree 8: END

// First fit: the lowest address >= start, aligned to align (a power of two; 0 means
// a page), where length bytes fit in the map. Returns 0 with *addr set, or 1 if there
// is no room. Map locked, shared at least.
int
vm_map_findspace(vm_map_t map, vm_offset_t start, vm_size_t length, vm_size_t align,
                 int flags, vm_offset_t *addr)
{
  vm_offset_t a;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  (void)flags;
  if (align < PAGE_SIZE)
    align = PAGE_SIZE;
  if (start < map->min_offset)
    start = map->min_offset;
  // first_free: nothing is free below its end.
  if (start < run_end(map, map->first_free))
    start = run_end(map, map->first_free);
  if (length == 0 || start >= map->max_offset || length > map->max_offset - start)
    return 1;
  // LAB rbtree 8: BEGIN
  a = findspace_tree(map, map->rb_root.root, start, length, align);
  // LAB rbtree 8: STARTER
  // // First fit down the list from first_free: right, but O(n).
  // a = 0;
  // for (vm_map_entry_t e = map->first_free->next; e != &map->header; e = e->next) {
  //   map->findspace_visits++;
  //   vm_offset_t g = MAX(gap_start(map, e), start), end = gap_end(map, e);
  //   g = (g + align - 1) & ~(align - 1);
  //   if (g >= start && g < end && end - g >= length) {
  //     a = g;
  //     break;
  //   }
  // }
  // LAB rbtree 8: END
  if (a == 0) {
    // The gap after the last entry, up to the map's end.
    vm_map_entry_t last = map->header.prev;
    a = MAX(run_end(map, last), start);
    a = (a + align - 1) & ~(align - 1);
    if (a < start || a >= map->max_offset || map->max_offset - a < length)
      return 1;
  }
  *addr = a;
  return 0;
}

static vm_eflags_t
cow_eflags(int cow)
{
  vm_eflags_t e = 0;
  if (cow & MAP_COPY_ON_WRITE)
    e |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
  if (cow & MAP_NOFAULT)
    e |= MAP_ENTRY_NOFAULT;
  if (cow & MAP_DISABLE_SYNCER)
    e |= MAP_ENTRY_NOSYNC;
  if (cow & MAP_DISABLE_COREDUMP)
    e |= MAP_ENTRY_NOCOREDUMP;
  if (cow & MAP_IS_STACK)
    e |= MAP_ENTRY_STACK;
  if (cow & MAP_IS_KSTACK)
    e |= MAP_ENTRY_KSTACK;
  return e;
}

// Map [start, end) to object at offset (null: anonymous memory, its object made on
// first need). The caller's reference to object passes to the map. Returns
// KERN_INVALID_ADDRESS if the range is empty or out of bounds, KERN_NO_SPACE if it
// overlaps an entry. Map locked exclusively; *countp reserved.
int
vm_map_insert(vm_map_t map, int *countp, struct vm_object *object, vm_ooffset_t offset,
              vm_offset_t start, vm_offset_t end, vm_maptype_t maptype,
              vm_prot_t prot, vm_prot_t max, int cow)
{
  vm_map_entry_t prev, entry;
  vm_eflags_t eflags = cow_eflags(cow);

  ASSERT_VM_MAP_LOCKED(map);
  if (start < map->min_offset || end > map->max_offset || start >= end)
    return KERN_INVALID_ADDRESS;
  if (vm_map_lookup_entry(map, start, &prev))
    return KERN_NO_SPACE;
  if (prev->next != &map->header && prev->next->start < end)
    return KERN_NO_SPACE;

  // LAB entries 6: BEGIN
  // Anonymous memory right after a compatible anonymous entry: grow that entry
  // (and its object, if it has one that only it uses) instead of adding one.
  if (object == 0 && prev != &map->header && prev->end == start &&
      // LAB stack 5: BEGIN
      !(eflags & MAP_ENTRY_STACK) &&   // each piece of a stack stays an entry
      // LAB stack 5: END
      prev->eflags == eflags && prev->maptype == maptype && prev->wired_count == 0 &&
      prev->protection == prot && prev->max_protection == max &&
      prev->inheritance == VM_INHERIT_DEFAULT &&
      (prev->object.vm_object == 0 ||
       vm_object_coalesce(prev->object.vm_object, prev->offset,
                          prev->end - prev->start, end - start))) {
    map->size += end - prev->end;
    prev->end = end;
    gap_changed(map, prev->next);
    first_free_fix(map, prev->prev);
    vm_map_simplify_entry(map, prev, countp);
    return KERN_SUCCESS;
  }
  // LAB entries 6: END

  entry = vm_map_entry_create(countp);
  entry->start = start;
  entry->end = end;
  entry->maptype = maptype;
  entry->eflags = eflags;
  entry->object.vm_object = object;
  entry->offset = offset;
  entry->aux.avail_ssize = 0;
  entry->inheritance = VM_INHERIT_DEFAULT;
  entry->protection = prot;
  entry->max_protection = max;
  entry->wired_count = 0;
  vm_map_entry_link(map, prev, entry);
  map->size += end - start;
  vm_map_simplify_entry(map, entry, countp);
  return KERN_SUCCESS;
}

// Insert at *addr, or with fitit at the first fit at or above *addr; *addr gets the
// address used. Takes the map lock and the entry reservation itself.
int
vm_map_find(vm_map_t map, struct vm_object *object, vm_ooffset_t offset,
            vm_offset_t *addr, vm_size_t length, vm_size_t align, boolean_t fitit,
            vm_maptype_t maptype, vm_prot_t prot, vm_prot_t max, int cow)
{
  vm_offset_t start = *addr;
  int count, result;

  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  if (fitit && vm_map_findspace(map, start, length, align, 0, &start)) {
    vm_map_unlock(map);
    vm_map_entry_release(count);
    return KERN_NO_SPACE;
  }
  if (length == 0 || start + length < start)
    result = KERN_INVALID_ADDRESS;
  else
    result = vm_map_insert(map, &count, object, offset, start, start + length,
                           maptype, prot, max, cow);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  if (result == KERN_SUCCESS)
    *addr = start;
  return result;
}

// Append a copy of src, an entry of another map, at the end of map (vmspace_fork
// copies entries in address order), mapping object at offset. The copy is not
// wired; the object reference is the caller's. Map locked exclusively; one entry of
// *countp reserved.
void
vm_map_insert_copy(vm_map_t map, vm_map_entry_t src, struct vm_object *object,
                   vm_ooffset_t offset, int *countp)
{
  vm_map_entry_t e = vm_map_entry_create(countp);

  ASSERT_VM_MAP_LOCKED(map);
  KASSERT(map->header.prev == &map->header || map->header.prev->end <= src->start,
          "vm_map_insert_copy: [0x%lx, 0x%lx) after an entry that ends at 0x%lx", src->start,
          src->end, map->header.prev->end);
  *e = *src;
  e->object.vm_object = object;
  e->offset = offset;
  e->wired_count = 0;
  e->eflags &= ~(MAP_ENTRY_USER_WIRED | MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP);
  vm_map_entry_link(map, map->header.prev, e);
  map->size += e->end - e->start;
  vm_map_simplify_entry(map, e, countp);
}

// Give an anonymous entry an object of its own, so that the pieces of a clip
// share it and can be merged again later.
void
vm_map_entry_allocate_object(vm_map_entry_t entry)
{
  KASSERT(entry->object.vm_object == 0, "entry already has an object");
  entry->object.vm_object =
      vm_object_allocate(OBJT_DEFAULT, (entry->end - entry->start) >> PAGE_SHIFT);
  entry->offset = 0;
}

// Split entry at addr, if addr is inside it: the front part becomes a new entry
// (entry->prev), entry keeps [addr, end). Map locked exclusively; one entry of
// *countp reserved. entry, and every other entry, stay valid.
void
vm_map_clip_start(vm_map_t map, vm_map_entry_t entry, vm_offset_t addr, int *countp)
{
  ASSERT_VM_MAP_LOCKED(map);
  if (addr <= entry->start || addr >= entry->end)
    return;
  // LAB entries 2: BEGIN
  if (entry->object.vm_object == 0)
    vm_map_entry_allocate_object(entry);
  vm_map_entry_t front = vm_map_entry_create(countp);
  *front = *entry;
  front->end = addr;
  entry->offset += addr - entry->start;
  entry->start = addr;
  vm_object_reference(front->object.vm_object);
  vm_map_entry_link(map, entry->prev, front);
  // LAB entries 2: STARTER
  // (void)map;
  // (void)countp;
  // panic("vm_map_clip_start: not written yet (lab 1, task 2)");
  // LAB entries 2: END
  // A stack's reservation (lab 4) lies below it: the front part, which borders
  // it, keeps it; entry, above, holds none. (Its gap is empty either way: max_free
  // stays.)
  entry->aux.avail_ssize = 0;
}

// Split entry at addr, if addr is inside it: entry keeps [start, addr), a new entry
// (entry->next) takes the rest. Map locked exclusively; one entry of *countp
// reserved. entry, and every other entry, stay valid.
void
vm_map_clip_end(vm_map_t map, vm_map_entry_t entry, vm_offset_t addr, int *countp)
{
  ASSERT_VM_MAP_LOCKED(map);
  if (addr <= entry->start || addr >= entry->end)
    return;
  // LAB entries 2: BEGIN
  if (entry->object.vm_object == 0)
    vm_map_entry_allocate_object(entry);
  vm_map_entry_t back = vm_map_entry_create(countp);
  *back = *entry;
  back->start = addr;
  back->offset += addr - entry->start;
  entry->end = addr;
  vm_object_reference(back->object.vm_object);
  vm_map_entry_link(map, entry, back);
  // LAB entries 2: STARTER
  // (void)map;
  // (void)countp;
  // panic("vm_map_clip_end: not written yet (lab 1, task 2)");
  // LAB entries 2: END
  // A stack's reservation (lab 4) lies below it: entry, which borders it, keeps it;
  // the new back part, entry->next, holds none. (Its gap is empty either way:
  // max_free stays.)
  entry->next->aux.avail_ssize = 0;
}

// Can a, which ends where b starts, and b be one entry?
static int
vm_map_mergeable(vm_map_t map, vm_map_entry_t a, vm_map_entry_t b)
{
  if (a == &map->header || b == &map->header || a->end != b->start)
    return 0;
  if ((a->eflags | b->eflags) & MAP_ENTRY_IN_TRANSITION)
    return 0;
  // Stacks never merge (lab 4): the lowest piece of a stack holds its reservation,
  // and two stacks side by side stay two.
  if ((a->eflags | b->eflags) & MAP_ENTRY_STACK)
    return 0;
  if (a->object.vm_object != b->object.vm_object)
    return 0;
  if (a->object.vm_object && a->offset + (a->end - a->start) != b->offset)
    return 0;
  return a->eflags == b->eflags && a->maptype == b->maptype &&
         a->protection == b->protection && a->max_protection == b->max_protection &&
         a->inheritance == b->inheritance && a->wired_count == b->wired_count;
}

// LAB entries 4: BEGIN
// Remove a merged-away entry: its object reference goes with it.
static void
vm_map_entry_merged(vm_map_t map, vm_map_entry_t gone, vm_map_entry_t keep, int *countp)
{
  if (map->hint == gone)
    map->hint = keep;
  vm_map_entry_unlink(map, gone);
  if (gone->object.vm_object)
    vm_object_deallocate(gone->object.vm_object);
  vm_map_entry_dispose(gone, countp);
}

// Merge entry with its neighbours where they are the same mapping in all but
// address. Map locked exclusively. entry stays valid (it grows); a neighbour merged
// into it is freed, and a pointer to it is stale.
// LAB entries 4: END
void
vm_map_simplify_entry(vm_map_t map, vm_map_entry_t entry, int *countp)
{
  ASSERT_VM_MAP_LOCKED(map);
  // LAB entries 4: BEGIN
  if (entry->eflags & MAP_ENTRY_IN_TRANSITION)
    return;
  vm_map_entry_t prev = entry->prev;
  if (vm_map_mergeable(map, prev, entry)) {
    vm_offset_t start = prev->start;
    vm_ooffset_t offset = prev->offset;
    vm_map_entry_merged(map, prev, entry, countp);
    entry->start = start;
    entry->offset = offset;
    gap_changed(map, entry);
    first_free_fix(map, entry->prev);
  }
  vm_map_entry_t next = entry->next;
  if (vm_map_mergeable(map, entry, next)) {
    vm_offset_t end = next->end;
    vm_map_entry_merged(map, next, entry, countp);
    entry->end = end;
    gap_changed(map, entry->next);
    first_free_fix(map, entry->prev);
  }
  // LAB entries 4: STARTER
  // (void)map;
  // (void)entry;
  // (void)countp;
  // LAB entries 4: END
}

// Sleep until some in-transition entry of the map changes. The map is locked
// exclusively on entry and again on return, but was unlocked meanwhile: no entry
// pointer of the caller's survives, it must look its entries up again. (The
// entry's owner clears IN_TRANSITION and, seeing NEEDS_WAKEUP, calls
// vm_map_transition_wakeup().)
void
vm_map_transition_wait(vm_map_t map)
{
  ASSERT_VM_MAP_LOCKED(map);
  // Holding transition_lock from before the unlock until asleep means the
  // wakeup, which needs the map lock first and then transition_lock, cannot
  // come in between and be lost.
  acquire(&transition_lock);
  vm_map_unlock(map);
  sleep(map, &transition_lock);
  release(&transition_lock);
  vm_map_lock(map);
}

void
vm_map_transition_wakeup(vm_map_t map)
{
  ASSERT_VM_MAP_LOCKED(map);
  acquire(&transition_lock);
  wakeup(map);
  release(&transition_lock);
}

// Merge what can be merged among the entries from `from` up to the first one that
// starts at or above end. Map locked exclusively.
void
vm_map_simplify_range(vm_map_t map, vm_map_entry_t from, vm_offset_t end, int *countp)
{
  vm_map_entry_t e = (from == &map->header) ? from->next : from;

  ASSERT_VM_MAP_LOCKED(map);
  // Up to and including the entry that starts at end: it may merge with the
  // range's last piece.
  while (e != &map->header && e->start <= end) {
    vm_map_simplify_entry(map, e, countp);
    e = e->next;
  }
}

// Unmap [start, end): clip the ends, then for each entry in between wait while it is
// in transition, drop its PTEs and its object reference, and free it. Holes are
// fine. Map locked exclusively (dropped while waiting); *countp reserved (two
// clips). No entry pointer of the caller's survives: the map may have changed
// while it waited.
int
vm_map_delete(vm_map_t map, vm_offset_t start, vm_offset_t end, int *countp)
{
  vm_map_entry_t entry;

  ASSERT_VM_MAP_LOCKED(map);
  if (start >= end)
    return KERN_SUCCESS;   // and no clip, which would split an entry for nothing
again:
  if (!vm_map_lookup_entry(map, start, &entry)) {
    entry = entry->next;
  } else if (entry->eflags & MAP_ENTRY_IN_TRANSITION) {
    // Its owner may be using it with the map unlocked: not even a clip.
    entry->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
    vm_map_transition_wait(map);
    goto again;
  } else {
    vm_map_clip_start(map, entry, start, countp);
  }

  while (entry != &map->header && entry->start < end) {
    if (entry->eflags & MAP_ENTRY_IN_TRANSITION) {
      entry->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
      vm_map_transition_wait(map);
      goto again;
    }
    vm_map_clip_end(map, entry, end, countp);
    vm_map_entry_t next = entry->next;
    if (entry->wired_count)
      vm_map_entry_unwire(map, entry);
    pmap_remove(map->pmap, entry->start, entry->end);
    vm_map_entry_unlink(map, entry);
    map->size -= entry->end - entry->start;
    if (entry->object.vm_object)
      vm_object_deallocate(entry->object.vm_object);
    vm_map_entry_dispose(entry, countp);
    entry = next;
  }
  return KERN_SUCCESS;
}

// vm_map_delete() with its own lock and reservation.
int
vm_map_remove(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
  int count, result;

  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  if (start < map->min_offset || end > map->max_offset || start > end)
    result = KERN_INVALID_ADDRESS;
  else
    result = vm_map_delete(map, start, end, &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return result;
}

// The first entry at or above start, clipped to start, once no entry of
// [start, end) is in transition: an entry in transition is its owner's, who may be
// using it with the map unlocked, so it is not clipped either. Map locked
// exclusively.
static vm_map_entry_t
clip_range_start(vm_map_t map, vm_offset_t start, vm_offset_t end, int *countp)
{
  vm_map_entry_t entry, e;
  int found;

  ASSERT_VM_MAP_LOCKED(map);
  for (;;) {
    found = vm_map_lookup_entry(map, start, &entry);
    for (e = found ? entry : entry->next; e != &map->header && e->start < end; e = e->next)
      if (e->eflags & MAP_ENTRY_IN_TRANSITION)
        break;
    if (e == &map->header || e->start >= end)
      break;
    e->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
    vm_map_transition_wait(map);
  }
  if (!found)
    return entry->next;
  vm_map_clip_start(map, entry, start, countp);
  return entry;
}

// Set the protection of [start, end) (with set_max, the maximum protection, which
// also lowers the current one). Fails with KERN_PROTECTION_FAILURE, changing
// nothing, if new_prot exceeds an entry's maximum. Holes are skipped. Takes the
// map lock itself.
int
vm_map_protect(vm_map_t map, vm_offset_t start, vm_offset_t end, vm_prot_t new_prot,
               boolean_t set_max)
{
  // LAB entries 5: BEGIN
  vm_map_entry_t entry, e;
  int count;

  if (start >= end)
    return KERN_SUCCESS;
  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  // Wait out entries in transition and check every maximum protection before the
  // first clip, so that a failure changes nothing at all.
  for (;;) {
    if (!vm_map_lookup_entry(map, start, &entry))
      entry = entry->next;
    for (e = entry; e != &map->header && e->start < end; e = e->next) {
      if (e->eflags & MAP_ENTRY_IN_TRANSITION)
        break;
      if ((new_prot & e->max_protection) != new_prot) {
        vm_map_unlock(map);
        vm_map_entry_release(count);
        return KERN_PROTECTION_FAILURE;
      }
    }
    if (e == &map->header || e->start >= end)
      break;
    e->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
    vm_map_transition_wait(map);
  }
  entry = clip_range_start(map, start, end, &count);
  for (e = entry; e != &map->header && e->start < end; e = e->next) {
    vm_map_clip_end(map, e, end, &count);
    vm_prot_t old = e->protection;
    if (set_max) {
      e->max_protection = new_prot;
      e->protection = new_prot & old;
    } else {
      e->protection = new_prot;
    }
    // pmap_protect only takes permissions away: a page mapped read-only because
    // its first write must fault (copy-on-write, a clean file page) stays so.
    if (e->protection != old)
      pmap_protect(map->pmap, e->start, e->end, e->protection);
  }
  // Merge what can be merged, from the entry before the range to the one after.
  vm_map_simplify_range(map, entry->prev, end, &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return KERN_SUCCESS;
  // LAB entries 5: STARTER
  // (void)map;
  // (void)start;
  // (void)end;
  // (void)new_prot;
  // (void)set_max;
  // printf("vm_map_protect: not written yet (lab 1, task 5)\n");
  // return KERN_FAILURE;
  // LAB entries 5: END
}

// Set the inheritance of [start, end): VM_INHERIT_SHARE, COPY or NONE, else
// KERN_INVALID_ARGUMENT. Holes are skipped. Takes the map lock itself.
int
vm_map_inherit(vm_map_t map, vm_offset_t start, vm_offset_t end, vm_inherit_t new_inheritance)
{
  vm_map_entry_t entry, e;
  int count;

  if (new_inheritance != VM_INHERIT_SHARE && new_inheritance != VM_INHERIT_COPY &&
      new_inheritance != VM_INHERIT_NONE)
    return KERN_INVALID_ARGUMENT;
  if (start >= end)
    return KERN_SUCCESS;
  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  entry = clip_range_start(map, start, end, &count);
  for (e = entry; e != &map->header && e->start < end; e = e->next) {
    vm_map_clip_end(map, e, end, &count);
    e->inheritance = new_inheritance;
  }
  vm_map_simplify_range(map, entry->prev, end, &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return KERN_SUCCESS;
}

// madvise(): NORMAL, RANDOM and SEQUENTIAL set the entries' behaviour (clipping);
// WILLNEED faults the pages in; DONTNEED drops the PTEs (the data stays in the
// objects); FREE also lets anonymous objects drop the pages. Holes are skipped.
// Unknown advice is KERN_INVALID_ARGUMENT. Takes the map lock itself.
int
vm_map_madvise(vm_map_t map, vm_offset_t start, vm_offset_t end, int behav, off_t value)
{
  vm_map_entry_t entry, e;
  int count;

  (void)value;
  switch (behav) {
  case MADV_NORMAL:
  case MADV_SEQUENTIAL:
  case MADV_RANDOM: {
    uint8 b = behav == MADV_NORMAL ? MAP_ENTRY_BEHAV_NORMAL :
              behav == MADV_SEQUENTIAL ? MAP_ENTRY_BEHAV_SEQUENTIAL : MAP_ENTRY_BEHAV_RANDOM;
    if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
      return KERN_RESOURCE_SHORTAGE;
    vm_map_lock(map);
    entry = clip_range_start(map, start, end, &count);
    for (e = entry; e != &map->header && e->start < end; e = e->next) {
      vm_map_clip_end(map, e, end, &count);
      vm_map_entry_set_behavior(e, b);
    }
    vm_map_simplify_range(map, entry->prev, end, &count);
    vm_map_unlock(map);
    vm_map_entry_release(count);
    return KERN_SUCCESS;
  }
  case MADV_WILLNEED:
    vm_prefault(map, start, end);
    return KERN_SUCCESS;
  case MADV_DONTNEED:
  case MADV_FREE:
    vm_map_lock_read(map);
    if (!vm_map_lookup_entry(map, start, &entry))
      entry = entry->next;
    for (e = entry; e != &map->header && e->start < end; e = e->next) {
      if (e->wired_count)
        continue;   // wired pages stay put
      vm_offset_t s = MAX(e->start, start), t = MIN(e->end, end);
      pmap_remove(map->pmap, s, t);
      struct vm_object *obj = e->object.vm_object;
      if (behav == MADV_FREE && obj && obj->type == OBJT_DEFAULT &&
          obj->backing_object == 0 && obj->ref_count == 1) {
        vm_pindex_t first = (e->offset + (s - e->start)) >> PAGE_SHIFT;
        vm_object_page_remove(obj, first, first + ((t - s) >> PAGE_SHIFT), 0);
      }
    }
    vm_map_unlock_read(map);
    return KERN_SUCCESS;
  default:
    return KERN_INVALID_ARGUMENT;
  }
}

// Is every address of [start, end) mapped with at least protection? With
// have_lock the caller holds the map lock; otherwise it is taken shared here.
boolean_t
vm_map_check_protection(vm_map_t map, vm_offset_t start, vm_offset_t end,
                        vm_prot_t protection, boolean_t have_lock)
{
  vm_map_entry_t entry;
  boolean_t ok = 1;

  if (!have_lock)
    vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, start, &entry)) {
    ok = 0;
  } else {
    while (start < end) {
      if (entry == &map->header || start < entry->start ||
          (entry->protection & protection) != protection) {
        ok = 0;
        break;
      }
      start = entry->end;
      entry = entry->next;
    }
  }
  if (!have_lock)
    vm_map_unlock_read(map);
  return ok;
}

// ---------------------------------------------------------------- faults, msync, mincore

// For vm_map_lookup: make sure the entry has an object of its own to put pages
// in, shadowing the shared one first if a write (or wiring: VM_PROT_OVERRIDE_WRITE)
// needs a private copy. The map is read-locked; returns 1 if the lock had to be
// dropped (the caller starts over), else 0 with the lock held as before, or -1 if
// memory ran out.
static int
prepare_entry(vm_map_t map, vm_map_entry_t entry, vm_prot_t fault_type)
{
  int need_copy = (entry->eflags & MAP_ENTRY_NEEDS_COPY) &&
                  (fault_type & (VM_PROT_WRITE | VM_PROT_OVERRIDE_WRITE));
  int r = 0;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  if (entry->object.vm_object != 0 && !need_copy)
    return 0;
  // Changing the entry needs the exclusive lock. A failed upgrade lost the shared
  // hold: look the entry up again. A successful one let nobody change the map in
  // between (upgraders go before waiting writers), so entry is still good.
  if (vm_map_lock_upgrade(map))
    return 1;
  if (entry->object.vm_object == 0) {
    vm_map_entry_allocate_object(entry);
    if (entry->object.vm_object == 0)
      r = -1;
  } else if (need_copy) {
    if (vm_object_shadow_try(&entry->object.vm_object, &entry->offset,
                             entry->end - entry->start))
      entry->eflags &= ~MAP_ENTRY_NEEDS_COPY;
    else
      r = -1;
  }
  vm_map_lock_downgrade(map);
  return r;
}

// Look up the translation of vaddr for a fault of fault_type: the entry, its object
// (made first if the entry has none, shadowed first if a write needs a private
// copy), the page index in it, the entry's protection (fault_map_prot takes write
// from it for some pages), and whether the entry is wired. Returns KERN_SUCCESS
// with the map read-locked, to be unlocked by vm_map_lookup_done(); else
// KERN_INVALID_ADDRESS (nothing mapped there), KERN_PROTECTION_FAILURE (the entry
// does not allow it) or KERN_RESOURCE_SHORTAGE, with the map unlocked. (The seed's
// var_map would let a lookup move to a sub-map; vmlab has none.)
int
vm_map_lookup(vm_map_t *var_map, vm_offset_t vaddr, vm_prot_t fault_type,
              vm_map_entry_t *out_entry, struct vm_object **object, vm_pindex_t *pindex,
              vm_prot_t *out_prot, boolean_t *wired)
{
  vm_map_t map = *var_map;
  vm_map_entry_t entry;
  int r;

again:
  vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, vaddr, &entry)) {
    vm_map_unlock_read(map);
    return KERN_INVALID_ADDRESS;
  }
  if ((entry->protection & fault_type & VM_PROT_ALL) != (fault_type & VM_PROT_ALL)) {
    vm_map_unlock_read(map);
    return KERN_PROTECTION_FAILURE;
  }
  if ((r = prepare_entry(map, entry, fault_type)) > 0)
    goto again;
  if (r < 0) {
    vm_map_unlock_read(map);
    return KERN_RESOURCE_SHORTAGE;
  }
  *out_entry = entry;
  *object = entry->object.vm_object;
  *pindex = atop(vaddr - entry->start + entry->offset);
  *out_prot = entry->protection;
  *wired = entry->wired_count > 0;
  return KERN_SUCCESS;
}

// The end of a successful vm_map_lookup: the map's shared lock goes.
void
vm_map_lookup_done(vm_map_t map, vm_map_entry_t entry, int count)
{
  (void)entry;
  (void)count;
  vm_map_unlock_read(map);
}

// msync(): write back the dirty file pages of shared mappings in [start, end); to
// invalidate, first take the range out of the page table and free the pages that
// no other mapping maps (vnode_pager_invalidate), unless the entry is wired.
// KERN_INVALID_ADDRESS if part of the range is not mapped. Takes the lock itself:
// exclusive to invalidate, so that no fault in this map maps a page being freed.
int
vm_map_clean(vm_map_t map, vm_offset_t start, vm_offset_t end, boolean_t syncio,
             boolean_t invalidate)
{
  vm_map_entry_t entry, e;
  int rv = KERN_SUCCESS;

  (void)syncio;
  if (invalidate)
    vm_map_lock(map);
  else
    vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, start, &entry)) {
    rv = KERN_INVALID_ADDRESS;
    goto out;
  }
  vm_offset_t covered = start;
  for (e = entry; e != &map->header && e->start <= covered && covered < end; e = e->next)
    covered = e->end;
  if (covered < end) {
    rv = KERN_INVALID_ADDRESS;
    goto out;
  }
  for (e = entry; e != &map->header && e->start < end; e = e->next) {
    struct vm_object *obj = e->object.vm_object;
    if (obj == 0 || obj->type != OBJT_VNODE || (e->eflags & MAP_ENTRY_COW))
      continue;
    vm_offset_t s = MAX(e->start, start), t = MIN(e->end, end);
    vm_pindex_t first = atop(e->offset + (s - e->start));
    vm_pindex_t last = first + atop(round_page(t) - s);
    vm_object_reference(obj);
    if (invalidate && e->wired_count == 0) {
      // The object's references that this map holds: its entries', and ours.
      int refs = 1;
      for (vm_map_entry_t x = map->header.next; x != &map->header; x = x->next)
        refs += x->object.vm_object == obj;
      pmap_remove(map->pmap, s, t);
      vnode_pager_invalidate(obj, first, last, refs);
    }
    vnode_pager_putpages(obj, first, last);
    vm_object_deallocate(obj);
  }
out:
  if (invalidate)
    vm_map_unlock(map);
  else
    vm_map_unlock_read(map);
  return rv;
}

// Is the page at va resident: mapped, or in memory somewhere down its entry's chain?
// Map locked by the caller.
int
vm_map_resident(vm_map_t map, vm_offset_t va)
{
  vm_map_entry_t entry;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  if (pmap_extract(map->pmap, va))
    return 1;
  if (!vm_map_lookup_entry(map, va, &entry))
    return 0;
  vm_pindex_t pi = atop(va - entry->start + entry->offset);
  int found = 0;
  vm_object_lock();
  for (struct vm_object *o = entry->object.vm_object; o && !found; o = o->backing_object) {
    found = vm_page_lookup(o, pi) != 0;
    if (!found && swap_pager_lookup(o, pi))
      break;   // in swap: what is below is shadowed
    pi += atop(o->backing_object_offset);
  }
  vm_object_unlock();
  return found;
}

// ---------------------------------------------------------------- checking

#define VERIFY(cond, msg) do { if (!(cond)) { *why = (msg); return -1; } } while (0)

// LAB rbtree 7: BEGIN
// Check the tree under n: parent links, key order, max_free. Returns the number
// of nodes, or -1.
static long
verify_subtree(vm_map_t map, struct rb_node *n, const char **why)
{
  if (n == 0)
    return 0;
  vm_map_entry_t e = rb_entry(n, struct vm_map_entry, rb_entry);
  vm_size_t m = gap_end(map, e) - gap_start(map, e);
  long l = verify_subtree(map, n->left, why);
  long r = verify_subtree(map, n->right, why);
  if (l < 0 || r < 0)
    return -1;
  if (n->left) {
    vm_map_entry_t le = rb_entry(n->left, struct vm_map_entry, rb_entry);
    VERIFY(le->start < e->start, "tree: left child not below its parent");
    m = MAX(m, le->max_free);
  }
  if (n->right) {
    vm_map_entry_t re = rb_entry(n->right, struct vm_map_entry, rb_entry);
    VERIFY(re->start > e->start, "tree: right child not above its parent");
    m = MAX(m, re->max_free);
  }
  VERIFY(e->max_free == m, "tree: max_free is not the subtree's largest gap");
  return l + r + 1;
}

// The tree holds the list's entries in the list's order, keeps the red-black
// rules, and has every max_free right.
static int
verify_tree(vm_map_t map, const char **why)
{
  struct rb_node *n = rb_first(&map->rb_root);

  for (vm_map_entry_t e = map->header.next; e != &map->header; e = e->next) {
    VERIFY(n == &e->rb_entry, "tree and list differ in order or contents");
    n = rb_next(n);
  }
  VERIFY(n == 0, "tree has entries the list lacks");
  VERIFY(rb_check(&map->rb_root) >= 0, "tree: red-black rules broken");
  if (verify_subtree(map, map->rb_root.root, why) < 0)
    return -1;
  return 0;
}
// LAB rbtree 7: END

// Are a and b, which follows it, the two parts of one clipped entry: adjacent, one
// object at consecutive offsets? (Only a clip puts two entries of one map on one
// anonymous object, as a stack's are.) Map locked.
static int
clipped_apart(vm_map_t map, vm_map_entry_t a, vm_map_entry_t b)
{
  ASSERT_VM_MAP_LOCKED_ANY(map);
  return a != &map->header && a->end == b->start && a->object.vm_object != 0 &&
         a->object.vm_object == b->object.vm_object &&
         a->offset + (a->end - a->start) == b->offset;
}

int
vm_map_verify(vm_map_t map, const char **why)
{
  vm_map_entry_t e, ff = &map->header;
  vm_size_t size = 0;
  int count = 0, hint_ok = (map->hint == &map->header), ff_ok = 0, in_run = 1;

  VERIFY(map->min_offset <= map->max_offset, "bounds reversed");
  for (e = map->header.next; e != &map->header; e = e->next) {
    VERIFY(e->next->prev == e && e->prev->next == e, "list: broken links");
    VERIFY(e->start < e->end, "entry: empty or reversed");
    VERIFY((e->start & (PAGE_SIZE - 1)) == 0 && (e->end & (PAGE_SIZE - 1)) == 0,
           "entry: not page aligned");
    VERIFY(e->start >= map->min_offset && e->end <= map->max_offset, "entry: out of bounds");
    VERIFY(e->prev == &map->header || e->prev->end <= e->start, "list: unsorted or overlapping");
    VERIFY(!(e->eflags & MAP_ENTRY_NEEDS_COPY) || (e->eflags & MAP_ENTRY_COW),
           "entry: NEEDS_COPY without COW");
    VERIFY(!(e->eflags & MAP_ENTRY_NEEDS_WAKEUP) || (e->eflags & MAP_ENTRY_IN_TRANSITION),
           "entry: NEEDS_WAKEUP without IN_TRANSITION");
    VERIFY(!(e->eflags & MAP_ENTRY_USER_WIRED) || e->wired_count > 0,
           "entry: USER_WIRED but not wired");
    VERIFY(!vm_map_mergeable(map, e->prev, e), "entry: could be merged with its predecessor");
    VERIFY(e->aux.avail_ssize == 0 || (e->eflags & MAP_ENTRY_STACK),
           "entry: a reservation below an entry that is no stack");
    VERIFY((e->aux.avail_ssize & (PAGE_SIZE - 1)) == 0, "entry: reservation not page aligned");
    // A clip leaves a stack's reservation on the lower part, which borders it. (How
    // much a reservation holds cannot be checked against the hole below it:
    // MAP_FIXED may map into it, and unmap again.)
    VERIFY(e->aux.avail_ssize == 0 || !clipped_apart(map, e->prev, e),
           "entry: a reservation on the upper part of a split stack entry");
    if (in_run && e->start == run_end(map, ff))
      ff = e;
    else
      in_run = 0;
    if (map->hint == e)
      hint_ok = 1;
    if (map->first_free == e)
      ff_ok = 1;
    size += e->end - e->start;
    count++;
  }
  VERIFY(count == map->nentries, "nentries is not the number of entries");
  VERIFY(size == map->size, "size is not the sum of the entries' lengths");
  VERIFY(hint_ok, "hint is not an entry of this map");
  VERIFY(map->first_free == &map->header || ff_ok, "first_free is not an entry of this map");
  VERIFY(map->first_free == ff, "first_free is not the end of the initial run");
  // LAB rbtree 7: BEGIN
  if (verify_tree(map, why) < 0)
    return -1;
  // LAB rbtree 7: END
  return 0;
}

// Map locked. A failure shows the map, then panics (which prints a backtrace).
void
vm_map_assert_valid(vm_map_t map)
{
  const char *why;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  if (vm_map_verify(map, &why) < 0) {
    vm_map_print(map);
    panic("vm_map_verify: %s", why);
  }
}
