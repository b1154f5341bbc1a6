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
#include "vm/swap_pager.h"
#include "vm/pmap_pv.h"

// The page at pindex of object or down its chain: the page, with the object it is
// in and its index there in *where and *wpi; or 0 if no object has it resident,
// with *where the object that must read it in (from swap, *swapped set, or a
// file's, at the bottom of the chain) or, if none must, the top object.
// KERN_FAILURE in *error for a file page wholly past the file's end. objlock held.
static vm_page_t
fault_lookup(struct vm_object *object, vm_pindex_t pindex, struct vm_object **where,
             vm_pindex_t *wpi, int *swapped, int *error)
{
  struct vm_object *obj = object;
  vm_pindex_t pi = pindex;
  vm_page_t m;

  *swapped = 0;
  for (;;) {
    *where = obj;
    *wpi = pi;
    // A file's page wholly past its end may still be resident from before a
    // truncation: it fails like one that is not (vnode_pager.c).
    if (obj->type == OBJT_VNODE && pi >= obj->size) {
      *error = KERN_FAILURE;
      return 0;
    }
    if ((m = vm_page_lookup(obj, pi)) != 0 || obj->type == OBJT_VNODE)
      return m;
    if (swap_pager_lookup(obj, pi) != 0) {
      *swapped = 1;
      return 0;
    }
    if (obj->backing_object == 0) {
      *where = object;
      *wpi = pindex;
      return 0;
    }
    pi += atop(obj->backing_object_offset);
    obj = obj->backing_object;
  }
}

// The protection to map page m with, m being in object (the entry's top object) or
// below it: prot, the entry's, without write wherever the next write must fault:
// - the entry still shares its object for copy-on-write (MAP_ENTRY_NEEDS_COPY; a
//   write fault would have shadowed it first): the write makes the private copy;
// - m is in an object below the top one: the write copies it up;
// - m is a file's clean page, mapped shared: the write marks it dirty.
// This is the one place that takes write away. objlock held.
static vm_prot_t
fault_map_prot(vm_map_entry_t entry, struct vm_object *object, vm_page_t m, vm_prot_t prot)
{
  if ((entry->eflags & MAP_ENTRY_NEEDS_COPY) || m->object != object)
    return prot & ~VM_PROT_WRITE;
  if (m->object->type == OBJT_VNODE && !(entry->eflags & MAP_ENTRY_COW) &&
      !(m->flags & PG_DIRTY))
    return prot & ~VM_PROT_WRITE;
  return prot;
}

// Find or make the page at pindex of object for a fault of fault_type, and map it
// at va with at most prot (wired if the entry is). All of it under objlock, which
// is dropped only to read a page from a file or from swap, or to wait for a busy
// one (in swap I/O), after which the search starts again: a page
// found below the top object stays put until it is mapped or copied (a collapse,
// which another process's exit may start, frees the pages of the object it
// absorbs that the top object has), and a copy is in the top object only once the
// pmap maps it instead of the page below (that collapse may free the page below
// then, which must be mapped nowhere). With VM_FAULT_CHANGE_WIRING (wiring), the
// page is wired too, and mapped only if prot allows some access. Map read-locked.
// Returns KERN_SUCCESS, KERN_FAILURE (beyond the end of a file) or
// KERN_RESOURCE_SHORTAGE.
static int
fault_page(vm_map_t map, vm_map_entry_t entry, struct vm_object *object, vm_pindex_t pindex,
           vm_offset_t va, vm_prot_t fault_type, vm_prot_t prot, boolean_t wired,
           int fault_flags)
{
  int write = (fault_type & VM_PROT_WRITE) != 0, error = KERN_SUCCESS;
  int copy_up = (fault_type & (VM_PROT_WRITE | VM_PROT_OVERRIDE_WRITE)) != 0;
  struct vm_object *where;
  vm_pindex_t wpi;
  vm_page_t m, fresh = 0;
  int copy, swapped;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  vm_object_lock();
  // The chain may have an object that the top one alone uses: one whose collapse
  // vm_object_deallocate had to leave when its last other user went (it had pages
  // in swap, or in swap I/O, then: vm_object_collapse says why). Absorb it now, if
  // it can be, before searching the chain: the search is shorter, and its pages
  // that the top object has are freed.
  vm_object_collapse(object);
  for (;;) {
    m = fault_lookup(object, pindex, &where, &wpi, &swapped, &error);
    if (error != KERN_SUCCESS)
      break;
    if (m && (m->flags & PG_BUSY)) {
      vm_page_sleep_busy(m);
      continue;
    }
    if (m == 0 && where->type == OBJT_VNODE) {
      vm_object_unlock();
      m = vnode_pager_getpage(where, wpi, &error);
      vm_object_lock();
      if (m == 0)
        break;
      continue;
    }
    // A write copies the page below up into the top object (copy-on-write). So does
    // a read of an anonymous page when other entries map the top object too
    // (minherit SHARE): once one of them writes the page, the others must see the
    // copy, and a pmap mapping the page below would not; worse, when the object
    // below is absorbed by a collapse, it frees that page. Copying at once keeps
    // every mapping of the shared object on its own pages. (An anonymous object
    // below another never changes: a copy now is the same as a copy later. A
    // file's page does change, with the file, so it is mapped from below still.)
    copy = where != object &&
           (copy_up || (object->ref_count > 1 && !(entry->eflags & MAP_ENTRY_NEEDS_COPY) &&
                      where->type != OBJT_VNODE));
    // A zero page, the copy, or the page read from swap: allocate it first (and
    // zero it only if it ends up a zero page). The allocator never sleeps, and its
    // lock nests inside objlock, so nothing here changes meanwhile.
    if ((m == 0 || copy) && fresh == 0 && (fresh = vm_page_alloc_nozero()) == 0) {
      error = KERN_RESOURCE_SHORTAGE;
      break;
    }
    if (m == 0 && swapped) {
      __atomic_add_fetch(&map_vmspace(map)->vm_pageins, 1, __ATOMIC_RELAXED);
      swap_pager_getpage(where, wpi, fresh);
      fresh = 0;
      continue;
    }
    break;
  }
  if (error == KERN_SUCCESS) {
    if (m == 0 || copy) {
      if (m)
        memmove(VM_PAGE_TO_KVA(fresh), VM_PAGE_TO_KVA(m), PAGE_SIZE);
      else
        memset(VM_PAGE_TO_KVA(fresh), 0, PAGE_SIZE);
      // Other entries that map the top object (minherit SHARE) may map a file's
      // page from below, read-only: from now on they must see the copy.
      if (m && object->ref_count > 1 && where->type == OBJT_VNODE)
        pmap_page_remove(m);
      vm_page_insert(fresh, object, pindex);
      m = fresh;
      fresh = 0;
    }
    if (write && m->object->type == OBJT_VNODE && !(entry->eflags & MAP_ENTRY_COW))
      m->flags |= PG_DIRTY;   // a write through a shared file mapping
    prot = fault_map_prot(entry, object, m, prot);
    if (prot != VM_PROT_NONE && pmap_enter(map->pmap, va, VM_PAGE_TO_PHYS(m), prot, wired) < 0) {
      // The PTE may still map the page from below, read-only, which the top object
      // now shadows with the copy: a collapse (another process's exit drops the
      // last other reference) would free that page while mapped. Unmap va; the
      // fault's retry maps the copy.
      pmap_remove(map->pmap, va, va + PAGE_SIZE);
      error = KERN_RESOURCE_SHORTAGE;
    }
    // LAB wiring 2: BEGIN
    // Wiring (vm_fault_wire): the page stays in memory until it is unwired.
    if (error == KERN_SUCCESS && (fault_flags & VM_FAULT_CHANGE_WIRING))
      vm_page_wire(m);
    // LAB wiring 2: END
  }
  vm_object_unlock();
  if (fresh)
    vm_page_free(fresh);
  return error;
}

// Resolve a fault at va for access fault_type (VM_PROT_*): KERN_SUCCESS, or
// KERN_INVALID_ADDRESS (nothing mapped there), KERN_PROTECTION_FAILURE (the entry
// does not allow it), KERN_FAILURE (beyond the end of a file), or
// KERN_RESOURCE_SHORTAGE. fault_flags: VM_FAULT_CHANGE_WIRING wires the page as
// well (vm_wire.c). Takes the map lock (shared) itself.
int
vm_fault(vm_map_t map, vm_offset_t va, vm_prot_t fault_type, int fault_flags)
{
  vm_map_entry_t entry;
  struct vm_object *object;
  vm_pindex_t pindex;
  vm_prot_t prot;
  boolean_t wired;
  int error;

  va = trunc_page(va);
  for (;;) {
    error = vm_map_lookup(&map, va, fault_type, &entry, &object, &pindex, &prot, &wired);
    if (error == KERN_SUCCESS) {
      error = fault_page(map, entry, object, pindex, va, fault_type, prot, wired,
                         fault_flags);
      vm_map_lookup_done(map, entry, 0);
    }
    // Out of memory: the pageout daemon frees some (or kills a process, perhaps
    // this one); then look again, with the map unlocked meanwhile.
    if (error != KERN_RESOURCE_SHORTAGE || vm_wait() < 0)
      return error;
  }
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
  if (r == KERN_RESOURCE_SHORTAGE && killed(p))
    return -1;   // the pageout daemon's victim: it said so
  if (r == KERN_NO_SPACE) {
    // The limit that stopped the stack: RLIMIT_STACK's for the process's own, a
    // MAP_STACK region's own size for one of those.
    vm_size_t own = vm_map_stack_limit(p, va);
    printf("pid %d (%s): stack overflow: fault at va 0x%lx, %s limit %ld KiB: killed\n",
           p->pid, p->name, va, own ? "MAP_STACK" : "stack",
           (long)((own ? own : p->p_rlimit[RLIMIT_STACK].rlim_cur) / 1024));
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
  // Each page by the first address of the range in it, which is va itself in the
  // first: a stack's growth judges that address against the stack pointer, and
  // the first page may well start below sp where the range does not.
  for (uint64 a = va; a < va + len; a = trunc_page(a) + PAGE_SIZE) {
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

// Undo the wiring of the pages of [start, end) of entry (lab 5), which must all be
// wired in the entry's own object (vm_wire.c says why they are there), and of their
// mappings in map's pmap. Map locked, or the entry in transition.
void
vm_fault_unwire(vm_map_t map, vm_map_entry_t entry, vm_offset_t start, vm_offset_t end)
{
  struct vm_object *object = entry->object.vm_object;

  KASSERT(lockstatus(&map->lock) != 0 || (entry->eflags & MAP_ENTRY_IN_TRANSITION),
          "vm_fault_unwire: map %p not locked and entry [0x%lx, 0x%lx) (eflags 0x%x) not "
          "in transition", map, entry->start, entry->end, entry->eflags);
  vm_object_lock();
  for (vm_offset_t va = start; va < end; va += PAGE_SIZE) {
    vm_pindex_t pindex = atop(va - entry->start + entry->offset);
    vm_page_t m = object ? vm_page_lookup(object, pindex) : 0;
    if (m == 0)
      panic("vm_fault_unwire: va 0x%lx of wired entry [0x%lx, 0x%lx): object %p has no "
            "page %ld", va, entry->start, entry->end, object, (long)pindex);
    vm_page_unwire(m);
  }
  vm_object_unlock();
  pmap_unwire(map->pmap, start, end);
}

// Fault in and wire every page of [start, end) of entry (lab 5), which is in
// transition (so it stays as it is), with the map unlocked. A private mapping's
// pages are copied up into its own object first (VM_PROT_OVERRIDE_WRITE). Returns
// KERN_SUCCESS, or the failing fault's error with none of the range's pages left
// wired.
int
vm_fault_wire(vm_map_t map, vm_map_entry_t entry, vm_offset_t start, vm_offset_t end)
{
  for (vm_offset_t va = start; va < end; va += PAGE_SIZE) {
    int r = vm_fault(map, va, VM_PROT_OVERRIDE_WRITE, VM_FAULT_CHANGE_WIRING);
    if (r != KERN_SUCCESS) {
      vm_fault_unwire(map, entry, start, va);
      return r;
    }
  }
  return KERN_SUCCESS;
}
