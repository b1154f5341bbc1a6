// Informational VM system calls, for the tools (vmmap) and the lab tests:
// vmmap() lists a process's map entries, vmstat() counts pages and the caller's
// map, vmverify() checks a map's invariants; and vm_map_print(), a map on the
// console for the debug kernel's failed checks. They read another process's map
// through a vmspace reference (proc_vmspace_hold()) with the map locked shared,
// and never copy out with the map locked: copyout may fault, and the fault
// handler takes the map lock.
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/vmmap.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/pmap_pv.h"
#include "vm/vm_zone.h"
#include "vm/vm_pageout.h"
#include "vm/swap_pager.h"

// Each flag, with the name vmmap gives it.
static const struct {
  vm_eflags_t eflag;
  int kflag;
  const char *name;
} kve_flags[] = {
  { MAP_ENTRY_COW, KVME_FLAG_COW, "cow" },
  { MAP_ENTRY_NEEDS_COPY, KVME_FLAG_NEEDS_COPY, "nc" },
  { MAP_ENTRY_STACK, KVME_FLAG_STACK, "stack" },
  { MAP_ENTRY_USER_WIRED, KVME_FLAG_USER_WIRED, "wired" },
  { MAP_ENTRY_NOFAULT, KVME_FLAG_NOFAULT, "nofault" },
  { MAP_ENTRY_NOSYNC, KVME_FLAG_NOSYNC, "nosync" },
  { MAP_ENTRY_NOCOREDUMP, KVME_FLAG_NOCOREDUMP, "nocore" },
  { MAP_ENTRY_IN_TRANSITION, KVME_FLAG_IN_TRANSITION, "trans" },
};

static const int kve_type[] = {
  [OBJT_DEFAULT] KVME_TYPE_DEFAULT, [OBJT_SWAP] KVME_TYPE_SWAP,
  [OBJT_VNODE] KVME_TYPE_VNODE, [OBJT_DEAD] KVME_TYPE_DEAD,
};

// The pages of entry that the pmap maps, and their proportional share in bytes:
// each page counts PAGE_SIZE divided among the page tables that map it (its pv
// entries), so that shared pages are counted once over all the processes.
struct residency {
  long pages;
  uint64 pss;
};

// Every page the pmap maps in entry is a page of the entry's object chain, mapped
// at its own address: so walk the chain's resident pages in the entry's range (each
// object's page tree, from vm_page_find_least), not the entry's addresses. The cost
// follows the resident pages; a terabyte of untouched memory costs nothing. Where
// an upper object shadows a page of a lower one, the pmap maps at most one of the
// two: comparing physical addresses counts each address once. Adds to *r. Map
// locked, shared at least; takes the object lock.
static void
entry_resident(vm_map_t map, vm_map_entry_t entry, struct residency *r)
{
  vm_pindex_t first = atop(entry->offset), n = atop(entry->end - entry->start);

  // Held, the pmap keeps its pages from the pageout daemon (which needs no map
  // lock): a page found mapped stays mapped until it is counted.
  pmap_hold(map->pmap);
  vm_object_lock();
  for (struct vm_object *o = entry->object.vm_object; o; o = o->backing_object) {
    for (vm_page_t m = vm_page_find_least(o, first); m && m->pindex < first + n;
         m = vm_page_next(m)) {
      vm_offset_t va = entry->start + ptoa(m->pindex - first);
      if (pmap_extract(map->pmap, va) != VM_PAGE_TO_PHYS(m))
        continue;
      int mappings = pmap_pv_count(m);   // this map's lock keeps its own one
      if (mappings < 1)
        panic("entry_resident: page 0x%lx mapped at va 0x%lx has %d pv entries",
              VM_PAGE_TO_PHYS(m), va, mappings);
      r->pages++;
      r->pss += PAGE_SIZE / mappings;
    }
    first += atop(o->backing_object_offset);
  }
  vm_object_unlock();
  pmap_drop(map->pmap);
}

// The proportional set size of vm's resident pages, in bytes (ps's PSS). Takes the
// map lock, shared.
uint64
vmspace_pss(struct vmspace *vm)
{
  vm_map_t map = &vm->vm_map;
  struct residency r = {0, 0};

  vm_map_lock_read(map);
  for (vm_map_entry_t e = map->header.next; e != &map->header; e = e->next)
    entry_resident(map, e, &r);
  vm_map_unlock_read(map);
  return r.pss;
}

// Describe entry of map in *kve. Map locked, shared at least.
static void
fill_kve(vm_map_t map, vm_map_entry_t entry, struct kinfo_vmentry *kve)
{
  struct vm_object *object = entry->object.vm_object;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  memset(kve, 0, sizeof(*kve));
  kve->kve_start = entry->start;
  kve->kve_end = entry->end;
  kve->kve_offset = entry->offset;
  kve->kve_protection = entry->protection;
  kve->kve_max_protection = entry->max_protection;
  kve->kve_inheritance = entry->inheritance;
  kve->kve_wired_count = entry->wired_count;
  for (int i = 0; i < (int)NELEM(kve_flags); i++)
    if (entry->eflags & kve_flags[i].eflag)
      kve->kve_flags |= kve_flags[i].kflag;
  if (vm_map_entry_behavior(entry) == MAP_ENTRY_BEHAV_SEQUENTIAL)
    kve->kve_flags |= KVME_FLAG_SEQUENTIAL;
  if (vm_map_entry_behavior(entry) == MAP_ENTRY_BEHAV_RANDOM)
    kve->kve_flags |= KVME_FLAG_RANDOM;
  kve->kve_type = KVME_TYPE_NONE;
  if (object) {
    kve->kve_type = kve_type[object->type];
    kve->kve_obj_id = object->id;
    vm_object_lock();
    kve->kve_shadow_depth = vm_object_chain_depth(object);
    vm_object_unlock();
  }
  struct residency r = {0, 0};
  entry_resident(map, entry, &r);
  kve->kve_resident = r.pages;
  kve->kve_pss = r.pss;
  kve->kve_reserve = vm_map_stack_reserved(map, entry);
}

// int vmmap(int pid, struct kinfo_vmentry *buf, int n): up to n entries of process
// pid's map (0: the caller's), in address order; returns how many entries the map
// has (which may be more than n). ESRCH: no such process.
long
sys_vmmap(void)
{
  int pid = argint(0), n = argint(2), i, total;
  uint64 ubuf = argaddr(1);
  struct vmspace *vm;
  struct kinfo_vmentry kve;
  vm_map_entry_t entry;
  vm_offset_t next;
  unsigned int stamp;

  if (n < 0 || pid < 0)
    return -EINVAL;
  if ((vm = proc_vmspace_hold(pid)) == 0)
    return -ESRCH;
  vm_map_t map = &vm->vm_map;
  vm_map_lock_read(map);
  total = map->nentries;
  entry = map->header.next;
  // One entry at a time: describe it locked, copy it out unlocked. If the map
  // changed meanwhile (its timestamp moved), find where we were again.
  for (i = 0; i < n && entry != &map->header; i++) {
    fill_kve(map, entry, &kve);
    next = entry->end;
    stamp = map->timestamp;
    vm_map_unlock_read(map);
    if (copyout(ubuf + i * sizeof(kve), &kve, sizeof(kve)) < 0) {
      vmspace_free(vm);
      return -EFAULT;
    }
    vm_map_lock_read(map);
    total = map->nentries;
    if (map->timestamp == stamp)
      entry = entry->next;
    else if (!vm_map_lookup_entry(map, next, &entry) || entry->start < next)
      entry = entry->next;
  }
  vm_map_unlock_read(map);
  vmspace_free(vm);
  return total;
}

// int vmstat(struct vmstats *st)
long
sys_vmstat(void)
{
  uint64 ust = argaddr(0);
  struct vmspace *vm = myproc()->p_vmspace;
  vm_map_t map = &vm->vm_map;
  struct vmstats st;

  memset(&st, 0, sizeof(st));
  st.v_page_count = vm_page_count();
  st.v_free_count = kfreecount();
  vm_map_lock_read(map);
  st.v_map_entries = map->nentries;
  st.v_map_size = map->size;
  st.v_lookup_visits = map->lookup_visits;
  st.v_map_timestamp = map->timestamp;
  st.v_map_wired = vm_map_user_wired(map, map->min_offset, map->max_offset);
  vm_map_unlock_read(map);
  st.v_resident = pmap_resident_count(&vm->vm_pmap);
  struct vm_pageout_stats ps;
  vm_pageout_stats(&ps);
  st.v_active_count = ps.active;
  st.v_inactive_count = ps.inactive;
  st.v_swap_pages = swap_pager_total();
  st.v_swap_used = swap_pager_used();
  st.v_swapin = ps.pageins;
  st.v_swapout = ps.pageouts;
  st.v_oom_kills = ps.oom_kills;
  st.v_vnodepgsout = ps.vnodeouts;
  st.v_wire_count = vm_page_wired_count();
  st.v_kmem_count = kmemcount();
  st.v_zone_pages = zone_page_count();
  st.v_zone_items = zone_item_count();
  st.v_pv_entries = pmap_pv_total();
  st.v_map_pageins = __atomic_load_n(&vm->vm_pageins, __ATOMIC_RELAXED);
  st.v_map_pageouts = __atomic_load_n(&vm->vm_pageouts, __ATOMIC_RELAXED);
  return copyout(ust, &st, sizeof(st));
}

// What holds of the caller's own map, which is in no system call of its but this
// one: no entry left in transition (by wiring, say), and each wired entry with its
// pages in an object of its own (vm_wire.c). (Not among vm_map_verify's checks,
// which DEBUG=1 makes at every change: before lab 5's task 4, fork breaks the
// second, and wiretest's fork test should say so, not bring the machine down.)
// Entries that a wiring under way has in transition (a thread's that shares the
// map) are that wiring's, half done. 0, or -1 with *why set. Map locked.
static int
vmverify_self(vm_map_t map, const char **why)
{
  ASSERT_VM_MAP_LOCKED_ANY(map);
  for (vm_map_entry_t e = map->header.next; e != &map->header; e = e->next) {
    if ((e->eflags & MAP_ENTRY_IN_TRANSITION) && (map->flags & MAP_WIRING))
      continue;
    if (e->eflags & MAP_ENTRY_IN_TRANSITION)
      *why = "entry: in transition after its system call returned";
    else if (e->wired_count && (e->object.vm_object == 0 ||
                                (e->eflags & MAP_ENTRY_NEEDS_COPY)))
      *why = "entry: wired without an object of its own";
    else
      continue;
    return -1;
  }
  return 0;
}

// int vmverify(int pid): 0 if process pid's map (0: the caller's) keeps every
// invariant; else EINVAL, with "vm_map_verify: <why>" on the console.
long
sys_vmverify(void)
{
  int pid = argint(0);
  struct vmspace *vm;
  const char *why = 0;
  int r;

  if (pid < 0)
    return -EINVAL;
  if ((vm = proc_vmspace_hold(pid)) == 0)
    return -ESRCH;
  // Exclusive, though it only reads: the check reads the hint and first_free,
  // which shared holders may move.
  vm_map_lock(&vm->vm_map);
  r = vm_map_verify(&vm->vm_map, &why);
  if (r == 0 && vm == myproc()->p_vmspace)
    r = vmverify_self(&vm->vm_map, &why);
  vm_map_unlock(&vm->vm_map);
  vmspace_free(vm);
  if (r < 0) {
    printf("vm_map_verify: %s\n", why);
    return -EINVAL;
  }
  return 0;
}

// ---------------------------------------------------------------- vm_map_print

static const char *const objt_name[] = {
  [OBJT_DEFAULT] "default", [OBJT_SWAP] "swap", [OBJT_VNODE] "vnode", [OBJT_DEAD] "dead",
};
static const char *const inherit_name[] = {
  [VM_INHERIT_SHARE] "share", [VM_INHERIT_COPY] "copy", [VM_INHERIT_NONE] "none",
};

#define PRINT_MAX 256   // entries: a broken list may have no end

static void
print_prot(vm_prot_t p)
{
  printf("%c%c%c ", (p & VM_PROT_READ) ? 'r' : '-', (p & VM_PROT_WRITE) ? 'w' : '-',
         (p & VM_PROT_EXECUTE) ? 'x' : '-');
}

static void
print_entry(vm_map_t map, vm_map_entry_t e)
{
  int nflags = 0;
  struct vm_object *object = e->object.vm_object;

  printf("%p-%p ", (void *)e->start, (void *)e->end);
  print_prot(e->protection);
  print_prot(e->max_protection);
  printf("%s ", e->inheritance <= VM_INHERIT_NONE ? inherit_name[e->inheritance] : "?");
  for (int i = 0; i < (int)NELEM(kve_flags); i++)
    if (e->eflags & kve_flags[i].eflag)
      printf("%s%s", nflags++ ? "," : "", kve_flags[i].name);
  printf("%s %d ", nflags ? "" : "-", e->wired_count);
  if (object && object->type <= OBJT_DEAD)
    printf("%s:%d", objt_name[object->type], object->id);
  else
    printf(object ? "?" : "none");
  printf(" %p%s%s\n", (void *)e->offset, map->hint == e ? " <hint" : "",
         map->first_free == e ? " <first_free" : "");
}

// Print map on the console, entry by entry in list order, as vmmap prints them (less
// RES and DEPTH, which would need the page table and the object lock), with the
// map's own fields; "<hint" and "<first_free" mark those entries. For a map that
// failed vm_map_verify: it follows the list as it is, but stops at PRINT_MAX
// entries. Map locked (exclusive in the debug kernel's check).
void
vm_map_print(vm_map_t map)
{
  vm_map_entry_t e;
  int n = 0;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  printf("map %p: [%p, %p) nentries %d size %p timestamp %u%s%s\n", map,
         (void *)map->min_offset, (void *)map->max_offset, map->nentries,
         (void *)map->size, map->timestamp, map->hint == &map->header ? " hint=header" : "",
         map->first_free == &map->header ? " first_free=header" : "");
  printf("START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET\n");
  for (e = map->header.next; e != &map->header && n < PRINT_MAX; e = e->next, n++)
    print_entry(map, e);
  if (e != &map->header)
    printf("... (stopped after %d entries)\n", n);
}

// The pages that vm's entries' own objects have in swap: the OOM killer's measure
// (objects further down are shared with other processes). 0 if the map is locked
// exclusively: the pageout daemon must not wait for a process that may be
// waiting for it.
uint64
vmspace_swap_count(struct vmspace *vm)
{
  vm_map_t map = &vm->vm_map;
  uint64 n = 0;

  if (vm_map_lock_read_try(map) != 0)
    return 0;
  vm_object_lock();
  for (vm_map_entry_t e = map->header.next; e != &map->header; e = e->next)
    if (e->object.vm_object)
      n += e->object.vm_object->swap_count;
  vm_object_unlock();
  vm_map_unlock_read(map);
  return n;
}
