// VM objects (see vm_object.h): reference counts, shadow chains for copy-on-write,
// and their collapse.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_zone.h"
#include "vm/swap_pager.h"

static struct vm_zone objzone;
static struct spinlock objlock;
static int next_object_id = 1;

void
vm_object_init(void)
{
  zinit(&objzone, "vm_object", sizeof(struct vm_object));
  initlock(&objlock, "vm_object");
}

void vm_object_lock(void) { acquire(&objlock); }
void vm_object_unlock(void) { release(&objlock); }
void vm_object_sleep(void *chan) { sleep(chan, &objlock); }

// A new object with one reference, or 0 if memory ran out. (The map's callers
// reserve entries, not objects: an allocation failure here is an ENOMEM.)
struct vm_object *
vm_object_allocate(objtype_t type, vm_pindex_t size)
{
  struct vm_object *object = zalloc(&objzone);
  if (object == 0)
    return 0;
  object->type = type;
  object->ref_count = 1;
  object->size = size;
  object->flags = OBJ_ONEMAPPING;
  rb_init(&object->rb_memq, 0);
  rb_init(&object->swblocks, 0);
  acquire(&objlock);
  object->id = next_object_id++;
  release(&objlock);
  return object;
}

void
vm_object_reference(struct vm_object *object)
{
  if (object == 0)
    return;
  acquire(&objlock);
  KASSERT(object->ref_count > 0, "vm_object_reference: object %d has ref_count %d", object->id, object->ref_count);
  object->ref_count++;
  object->flags &= ~OBJ_ONEMAPPING;
  release(&objlock);
}

// Link object into backing's list of shadows, or take it out. objlock held.
static void
shadow_link(struct vm_object *backing, struct vm_object *object)
{
  object->shadow_next = backing->shadow_head;
  backing->shadow_head = object;
  backing->shadow_count++;
}

static void
shadow_unlink(struct vm_object *backing, struct vm_object *object)
{
  struct vm_object **pp = &backing->shadow_head;
  while (*pp != object)
    pp = &(*pp)->shadow_next;
  *pp = object->shadow_next;
  object->shadow_next = 0;
  backing->shadow_count--;
}

// Take m out of its object and free it. A busy page is in I/O with the lock
// dropped: the I/O's owner frees it when done (PG_ORPHAN). objlock held.
static void
page_free(vm_page_t m)
{
  if (m->flags & PG_BUSY) {
    m->object->paging_in_progress--;
    m->flags |= PG_ORPHAN;
    vm_page_remove(m);
    return;
  }
  vm_page_remove(m);
  vm_page_free(m);
}

// Free every page and swap slot of a dead object. objlock held.
static void
free_pages(struct vm_object *object)
{
  struct rb_node *n;
  while ((n = rb_first(&object->rb_memq)) != 0)
    page_free(rb_entry(n, struct vm_page, rb));
  swap_pager_free_range(object, 0, 0);
}

// Drop a reference. The last one frees the object and its pages and drops its
// reference to its backing object, and so on down the chain (a loop, not
// recursion: chains can be long and kernel stacks are short).
void
vm_object_deallocate(struct vm_object *object)
{
  while (object) {
    acquire(&objlock);
    KASSERT(object->ref_count > 0, "vm_object_deallocate: object %d has ref_count %d", object->id, object->ref_count);
    if (--object->ref_count > 0) {
      // One reference left, from the one shadow above: the shadow absorbs this
      // object now, so that the pages only it can see are freed (a fork child's
      // exit gives the parent's memory back).
      if (object->ref_count == 1 && object->shadow_count == 1 && object->type == OBJT_DEFAULT)
        vm_object_collapse(object->shadow_head);
      release(&objlock);
      return;
    }
    if (object->type == OBJT_VNODE) {
      // Write dirty pages back and let go of the file, outside the lock: both sleep.
      release(&objlock);
      vnode_pager_putpages(object, 0, object->size);
      vnode_pager_dealloc(object);
      acquire(&objlock);
    }
    struct vm_object *backing = object->backing_object;
    if (backing)
      shadow_unlink(backing, object);
    free_pages(object);
    object->type = OBJT_DEAD;
    release(&objlock);
    zfree(&objzone, object);
    object = backing;
  }
}

// Make *object a new anonymous object of length bytes that shadows the old one at
// *offset: copy-on-write's first step. The entry's reference moves to the shadow.
// On failure to allocate, *object is unchanged and the caller gets 0.
int
vm_object_shadow_try(struct vm_object **object, vm_ooffset_t *offset, vm_size_t length)
{
  struct vm_object *source = *object;
  struct vm_object *result = vm_object_allocate(OBJT_DEFAULT, length >> PAGE_SHIFT);

  if (result == 0)
    return 0;
  acquire(&objlock);
  result->backing_object = source;
  result->backing_object_offset = *offset;
  if (source)
    shadow_link(source, result);
  release(&objlock);
  *offset = 0;
  *object = result;
  return 1;
}

// Move the pages of backing that object lacks up into object, free the rest, and
// take backing's place in the chain. Only when object is backing's one user.
void
vm_object_collapse(struct vm_object *object)
{
  // LAB fork 2: BEGIN
  struct vm_object *backing;

  while ((backing = object->backing_object) != 0 && backing->ref_count == 1 &&
         backing->type == OBJT_DEFAULT) {
    // Pages in swap, or in swap I/O, stay where they are: a slot cannot move
    // without memory for its metadata, which a collapse must not need.
    if (backing->swap_count || backing->paging_in_progress || object->swap_count)
      break;
    vm_pindex_t shift = object->backing_object_offset >> PAGE_SHIFT;
    struct rb_node *n;
    while ((n = rb_first(&backing->rb_memq)) != 0) {
      vm_page_t m = rb_entry(n, struct vm_page, rb);
      vm_page_remove(m);
      // Backing's page p is object's page p - shift, if object covers it and has
      // not made its own copy.
      if (m->pindex >= shift && m->pindex - shift < object->size &&
          vm_page_lookup(object, m->pindex - shift) == 0)
        vm_page_insert(m, object, m->pindex - shift);
      else
        vm_page_free(m);
    }
    // object takes backing's place: in its backing object's shadow list too, and
    // it holds the reference that backing held.
    shadow_unlink(backing, object);
    if (backing->backing_object) {
      shadow_unlink(backing->backing_object, backing);
      shadow_link(backing->backing_object, object);
    }
    object->backing_object = backing->backing_object;
    object->backing_object_offset += backing->backing_object_offset;
    backing->backing_object = 0;
    backing->ref_count = 0;
    backing->type = OBJT_DEAD;
    zfree(&objzone, backing);
  }
  // LAB fork 2: STARTER
  // (void)object;   // no collapse: chains only grow
  // LAB fork 2: END
}

// Grow an anonymous object that one entry alone maps, so that the entry can grow
// instead of a new one being added.
boolean_t
vm_object_coalesce(struct vm_object *prev_object, vm_ooffset_t prev_offset,
                   vm_size_t prev_size, vm_size_t next_size)
{
  boolean_t ok = 0;

  acquire(&objlock);
  if (prev_object->type == OBJT_DEFAULT && prev_object->ref_count == 1 &&
      prev_object->backing_object == 0 && prev_object->shadow_count == 0) {
    vm_pindex_t start = (prev_offset + prev_size) >> PAGE_SHIFT;
    vm_pindex_t end = start + (next_size >> PAGE_SHIFT);
    // Pages left there by an earlier, larger mapping must not show through.
    vm_object_page_remove_locked(prev_object, start, end);
    if (end > prev_object->size)
      prev_object->size = end;
    ok = 1;
  }
  release(&objlock);
  return ok;
}

void
vm_object_page_remove_locked(struct vm_object *object, vm_pindex_t start, vm_pindex_t end)
{
  struct rb_node *n = object->rb_memq.root, *first = 0;

  // The first page at or above start.
  while (n) {
    vm_page_t m = rb_entry(n, struct vm_page, rb);
    if (m->pindex >= start) {
      first = n;
      n = n->left;
    } else {
      n = n->right;
    }
  }
  for (n = first; n; ) {
    vm_page_t m = rb_entry(n, struct vm_page, rb);
    if (end != 0 && m->pindex >= end)
      break;
    n = rb_next(n);
    if (m->wire_count)
      continue;
    page_free(m);
  }
  swap_pager_free_range(object, start, end);
}

void
vm_object_page_remove(struct vm_object *object, vm_pindex_t start, vm_pindex_t end,
                      boolean_t clean_only)
{
  (void)clean_only;
  acquire(&objlock);
  vm_object_page_remove_locked(object, start, end);
  release(&objlock);
}

// Put m, a page filled without the lock, at pindex of object, unless a racing fault
// put one there first: then free m and return that one.
vm_page_t
vm_object_page_install(struct vm_object *object, vm_pindex_t pindex, vm_page_t m)
{
  vm_page_t other;

  acquire(&objlock);
  if ((other = vm_page_lookup(object, pindex)) != 0) {
    release(&objlock);
    vm_page_free(m);
    return other;
  }
  vm_page_insert(m, object, pindex);
  release(&objlock);
  return m;
}

int
vm_object_chain_depth(struct vm_object *object)
{
  int depth = 0;
  for (; object; object = object->backing_object)
    depth++;
  return depth;
}
