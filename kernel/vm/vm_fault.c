// Page faults: find the page behind a virtual address and map it.
//
// The entry's object, or an object down its shadow chain, has the page; or it is
// read in from a file (vnode object at the bottom of the chain), or it is a new zero
// page in the top object. Copy-on-write: a write to a page found below the top
// object copies it up into the top object; a read maps the lower page read-only.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// Make sure the entry has an object of its own to put pages in, shadowing the
// shared one first if a write needs a private copy. The map is read-locked;
// returns 1 if the lock had to be dropped (the caller starts over), else 0 with
// the lock held as before, or -1 if memory ran out.
static int
fault_prepare_entry(vm_map_t map, vm_map_entry_t entry, vm_prot_t fault_type)
{
  int need_copy = (entry->eflags & MAP_ENTRY_NEEDS_COPY) && (fault_type & VM_PROT_WRITE);
  int r = 0;

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

// A new page at pindex of object, zero-filled, or a copy of src; the page already
// there if a racing fault put one in first. 0 if out of memory.
static vm_page_t
fault_newpage(struct vm_object *object, vm_pindex_t pindex, vm_page_t src)
{
  vm_page_t m = vm_page_alloc();

  if (m == 0)
    return 0;
  if (src)
    memmove(VM_PAGE_TO_KVA(m), VM_PAGE_TO_KVA(src), PAGE_SIZE);
  return vm_object_page_install(object, pindex, m);
}

// Find the page at pindex in object or below it: the page, and in *where the
// object it is in. Reads from the file or zero-fills where it must. 0 with *error
// set on failure.
static vm_page_t
fault_findpage(struct vm_object *object, vm_pindex_t pindex, struct vm_object **where,
               int *error)
{
  struct vm_object *obj = object;
  vm_pindex_t pi = pindex;
  vm_page_t m;

  vm_object_lock();
  vm_object_collapse(object);
  for (;;) {
    // A file's page wholly past its end may still be resident from before a
    // truncation: it fails like one that is not (vnode_pager.c).
    if (obj->type == OBJT_VNODE && pi >= obj->size) {
      vm_object_unlock();
      *error = KERN_FAILURE;
      return 0;
    }
    if ((m = vm_page_lookup(obj, pi)) != 0)
      break;
    if (obj->type == OBJT_VNODE) {
      vm_object_unlock();
      m = vnode_pager_getpage(obj, pi, error);
      *where = obj;
      return m;
    }
    if (obj->backing_object == 0) {
      vm_object_unlock();
      m = fault_newpage(object, pindex, 0);
      *where = object;
      if (m == 0)
        *error = KERN_RESOURCE_SHORTAGE;
      return m;
    }
    pi += atop(obj->backing_object_offset);
    obj = obj->backing_object;
  }
  vm_object_unlock();
  *where = obj;
  return m;
}

// Look up the translation of vaddr for a fault of fault_type: the entry, its object
// (made first if the entry has none, shadowed first if a write needs a private
// copy), the page index in it, the protection to map the page with, and whether
// the entry is wired. Returns KERN_SUCCESS with the map read-locked, to be unlocked
// by vm_map_lookup_done(); else KERN_INVALID_ADDRESS (nothing mapped there),
// KERN_PROTECTION_FAILURE (the entry does not allow it) or KERN_RESOURCE_SHORTAGE,
// with the map unlocked. (The seed's var_map would let a lookup move to a sub-map;
// vmlab has none.)
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
  if ((entry->protection & fault_type) != fault_type) {
    vm_map_unlock_read(map);
    return KERN_PROTECTION_FAILURE;
  }
  if ((r = fault_prepare_entry(map, entry, fault_type)) > 0)
    goto again;
  if (r < 0) {
    vm_map_unlock_read(map);
    return KERN_RESOURCE_SHORTAGE;
  }
  *out_entry = entry;
  *object = entry->object.vm_object;
  *pindex = atop(vaddr - entry->start + entry->offset);
  *out_prot = entry->protection;
  // An entry still sharing its object for copy-on-write must not write it.
  if (entry->eflags & MAP_ENTRY_NEEDS_COPY)
    *out_prot &= ~VM_PROT_WRITE;
  *wired = entry->wired_count > 0;
  return KERN_SUCCESS;
}

void
vm_map_lookup_done(vm_map_t map, vm_map_entry_t entry, int count)
{
  (void)entry;
  (void)count;
  vm_map_unlock_read(map);
}

// Resolve a fault at va for access fault_type (VM_PROT_*): KERN_SUCCESS, or
// KERN_INVALID_ADDRESS (nothing mapped there), KERN_PROTECTION_FAILURE (the entry
// does not allow it), KERN_FAILURE (beyond the end of a file), or
// KERN_RESOURCE_SHORTAGE. Takes the map lock (shared) itself.
int
vm_fault(vm_map_t map, vm_offset_t va, vm_prot_t fault_type, int fault_flags)
{
  vm_map_entry_t entry;
  struct vm_object *object, *where;
  vm_pindex_t pindex;
  vm_prot_t prot;
  boolean_t wired;
  vm_page_t m;
  int error = KERN_SUCCESS;

  (void)fault_flags;
  va = trunc_page(va);
  if ((error = vm_map_lookup(&map, va, fault_type, &entry, &object, &pindex, &prot,
                             &wired)) != KERN_SUCCESS)
    return error;
  m = fault_findpage(object, pindex, &where, &error);
  if (m == 0) {
    vm_map_lookup_done(map, entry, 0);
    return error;
  }
  if (where != object) {
    if (fault_type & VM_PROT_WRITE) {
      // Copy-on-write: the page below becomes a private copy in the top object.
      if ((m = fault_newpage(object, pindex, m)) == 0) {
        vm_map_lookup_done(map, entry, 0);
        return KERN_RESOURCE_SHORTAGE;
      }
    } else {
      prot &= ~VM_PROT_WRITE;   // the next write copies
    }
  }
  // File pages: map read-only until the first write, so that it is noticed.
  if (m->object && m->object->type == OBJT_VNODE && !(entry->eflags & MAP_ENTRY_COW)) {
    if (fault_type & VM_PROT_WRITE)
      m->flags |= PG_DIRTY;
    else if (!(m->flags & PG_DIRTY))
      prot &= ~VM_PROT_WRITE;
  }
  if (pmap_enter(map->pmap, va, VM_PAGE_TO_PHYS(m), prot, wired) < 0)
    error = KERN_RESOURCE_SHORTAGE;
  vm_map_lookup_done(map, entry, 0);
  return error;
}

// A page fault in user mode at va, for access: resolve it, or kill the process with
// a console line that says why. Returns 0 if resolved.
int
vm_fault_trap(struct proc *p, vm_offset_t va, vm_prot_t access)
{
  const char *why;
  int r = KERN_INVALID_ADDRESS;

  if (va < VM_MAXUSER_ADDRESS) {
    r = vm_fault(&p->p_vmspace->vm_map, va, access, VM_FAULT_NORMAL);
    // LAB stack 2: BEGIN
    // No entry there: perhaps the stack's next pages.
    if (r == KERN_INVALID_ADDRESS && (r = vm_map_growstack(p, va)) == KERN_SUCCESS)
      r = vm_fault(&p->p_vmspace->vm_map, va, access, VM_FAULT_NORMAL);
    // LAB stack 2: END
  }
  if (r == KERN_SUCCESS)
    return 0;
  if (r == KERN_NO_SPACE) {
    printf("pid %d (%s): stack overflow: fault at va 0x%lx, stack limit %ld KiB: killed\n",
           p->pid, p->name, va, (long)(p->p_rlimit[RLIMIT_STACK].rlim_cur / 1024));
    setkilled(p);
    return -1;
  }
  switch (r) {
  case KERN_PROTECTION_FAILURE: why = "protection violation"; break;
  case KERN_RESOURCE_SHORTAGE: why = "out of memory"; break;
  case KERN_FAILURE: why = "beyond the end of the file"; break;
  default: why = "no mapping"; break;
  }
  printf("pid %d (%s): segmentation fault: %s at va 0x%lx, pc 0x%lx (%s): killed\n",
         p->pid, p->name,
         access & VM_PROT_EXECUTE ? "exec" : access & VM_PROT_WRITE ? "write" : "read",
         va, md_user_pc(p->trapframe), why);
  setkilled(p);
  return -1;
}

// The kernel's own access to vm's user memory at va, for prot (a system call's copy
// in or out): vm_fault(), and in the current process's vmspace a stack grows as
// it would for the process's own access. KERN_* result; takes the map lock itself.
int
vm_fault_user(struct vmspace *vm, vm_offset_t va, vm_prot_t prot)
{
  int r = vm_fault(&vm->vm_map, va, prot, VM_FAULT_NORMAL);

  // LAB stack 4: BEGIN
  // read() into a big buffer on the stack may be the first touch of its pages.
  struct proc *p = myproc();
  if (r == KERN_INVALID_ADDRESS && p->p_vmspace == vm &&
      vm_map_growstack(p, va) == KERN_SUCCESS)
    r = vm_fault(&vm->vm_map, va, prot, VM_FAULT_NORMAL);
  // LAB stack 4: END
  return r;
}

// Fault in every page of the current process's [va, va+len) that is not mapped for
// prot: 0, or -EFAULT if one cannot be.
int
vm_fault_prefault_user(uint64 va, uint64 len, vm_prot_t prot)
{
  struct vmspace *vm = myproc()->p_vmspace;

  if (len == 0)
    return 0;
  if (va >= VM_MAXUSER_ADDRESS || len > VM_MAXUSER_ADDRESS - va)
    return -EFAULT;
  for (uint64 a = trunc_page(va); a < va + len; a += PAGE_SIZE) {
    if (pmap_extract_prot(&vm->vm_pmap, a, prot) == 0 &&
        vm_fault_user(vm, a, prot) != KERN_SUCCESS)
      return -EFAULT;
  }
  return 0;
}

// madvise(WILLNEED): fault in what is not resident; errors are ignored (advice).
void
vm_prefault(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
  for (vm_offset_t a = trunc_page(start); a < end; a += PAGE_SIZE)
    if (pmap_extract(map->pmap, a) == 0)
      vm_fault(map, a, VM_PROT_READ, VM_FAULT_NORMAL);
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

  if (pmap_extract(map->pmap, va))
    return 1;
  if (!vm_map_lookup_entry(map, va, &entry))
    return 0;
  vm_pindex_t pi = atop(va - entry->start + entry->offset);
  int found = 0;
  vm_object_lock();
  for (struct vm_object *o = entry->object.vm_object; o && !found; o = o->backing_object) {
    found = vm_page_lookup(o, pi) != 0;
    pi += atop(o->backing_object_offset);
  }
  vm_object_unlock();
  return found;
}
