// Helpers for the vm_map tests (see maputil.h).
#include <stdio.h>
#include <stdlib.h>
#include "maputil.h"
#include "stubs.h"
#include "test.h"

void
tmap_init(struct tmap *t, vm_offset_t min, vm_offset_t max)
{
  if (pmap_pinit(&t->pmap) != 0)
    abort();
  vm_map_init(&t->map, min, max, &t->pmap);
}

int
tmap_destroy(struct tmap *t)
{
  int ok = 1;
  if (vm_map_remove(&t->map, vm_map_min(&t->map), vm_map_max(&t->map)) != KERN_SUCCESS)
    ok = t_fail(__FILE__, __LINE__, "tmap_destroy: vm_map_remove failed");
  if (t->map.nentries != 0 || t->map.size != 0 || t->map.header.next != &t->map.header)
    ok = t_fail(__FILE__, __LINE__, "tmap_destroy: map not empty after removing everything");
  if (stub_pte_count(&t->pmap) != 0)
    ok = t_fail(__FILE__, __LINE__, "tmap_destroy: %ld PTEs left", stub_pte_count(&t->pmap));
  if (lockstatus(&t->map.lock) != 0)
    ok = t_fail(__FILE__, __LINE__, "tmap_destroy: map left locked");
  pmap_release(&t->pmap);
  return ok;
}

int
tm_insert(vm_map_t map, struct vm_object *obj, vm_ooffset_t off, vm_offset_t start,
          vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow)
{
  int count = vm_map_entry_reserve(MAP_RESERVE_COUNT);
  if (count < 0)
    abort();
  vm_map_lock(map);
  int r = vm_map_insert(map, &count, obj, off, start, end, VM_MAPTYPE_NORMAL, prot, max, cow);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return r;
}

int
tm_delete(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
  int count = vm_map_entry_reserve(MAP_RESERVE_COUNT);
  if (count < 0)
    abort();
  vm_map_lock(map);
  int r = vm_map_delete(map, start, end, &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return r;
}

int
tm_findspace(vm_map_t map, vm_offset_t start, vm_size_t len, vm_size_t align, vm_offset_t *addr)
{
  vm_map_lock(map);
  int r = vm_map_findspace(map, start, len, align, 0, addr);
  vm_map_unlock(map);
  return r;
}

boolean_t
tm_lookup(vm_map_t map, vm_offset_t addr, vm_map_entry_t *entry)
{
  vm_map_lock_read(map);
  boolean_t r = vm_map_lookup_entry(map, addr, entry);
  vm_map_unlock_read(map);
  return r;
}

void
tm_clip(vm_map_t map, vm_offset_t addr, int end)
{
  vm_map_entry_t e;
  int count = vm_map_entry_reserve(MAP_RESERVE_COUNT);
  if (count < 0)
    abort();
  vm_map_lock(map);
  if (vm_map_lookup_entry(map, addr, &e)) {
    if (end)
      vm_map_clip_end(map, e, addr, &count);
    else
      vm_map_clip_start(map, e, addr, &count);
  }
  vm_map_unlock(map);
  vm_map_entry_release(count);
}

void
tm_simplify(vm_map_t map, vm_offset_t addr)
{
  vm_map_entry_t e;
  int count = vm_map_entry_reserve(MAP_RESERVE_COUNT);
  if (count < 0)
    abort();
  vm_map_lock(map);
  if (vm_map_lookup_entry(map, addr, &e))
    vm_map_simplify_entry(map, e, &count);
  vm_map_unlock(map);
  vm_map_entry_release(count);
}

int
tm_verify(vm_map_t map, const char **why)
{
  vm_map_lock_read(map);
  int r = vm_map_verify(map, why);
  vm_map_unlock_read(map);
  return r;
}

vm_map_entry_t
tm_entry(vm_map_t map, int n)
{
  vm_map_entry_t e = map->header.next;
  for (; e != &map->header; e = e->next)
    if (n-- == 0)
      return e;
  return 0;
}

void
tm_dump(vm_map_t map)
{
  fprintf(stdout, "    map [%#lx, %#lx) nentries %d size %#lx hint %p first_free %p\n",
          map->min_offset, map->max_offset, map->nentries, map->size, (void *)map->hint,
          (void *)map->first_free);
  int i = 0;
  for (vm_map_entry_t e = map->header.next; e != &map->header && i < 64; e = e->next, i++)
    fprintf(stdout, "    %p [%#lx, %#lx) prot %d/%d inh %d eflags %#x obj %p(%d) off %#lx\n",
            (void *)e, e->start, e->end, e->protection, e->max_protection, e->inheritance,
            e->eflags, (void *)e->object.vm_object,
            e->object.vm_object ? e->object.vm_object->ref_count : 0, (unsigned long)e->offset);
}

void
tm_touch(struct tmap *t, vm_offset_t va, vm_prot_t prot)
{
  pmap_enter(&t->pmap, va, 0x80000000UL + va, prot, 0);
}

int
tm_expect(const char *file, int line, vm_map_t map, const struct xent *want, int n)
{
  vm_map_entry_t e = map->header.next;
  int i;
  for (i = 0; i < n && want[i].end >= 0; i++, e = e->next) {
    if (e == &map->header) {
      t_fail(file, line, "map has %d entries, expected more", i);
      goto bad;
    }
    if (e->start != P(want[i].start) || e->end != P(want[i].end) ||
        (want[i].prot >= 0 && e->protection != want[i].prot)) {
      t_fail(file, line, "entry %d is [%ld, %ld) prot %d, expected [%ld, %ld) prot %d (pages)",
             i, (long)(e->start / PG), (long)(e->end / PG), e->protection, want[i].start,
             want[i].end, want[i].prot);
      goto bad;
    }
  }
  if (e != &map->header) {
    t_fail(file, line, "map has more than %d entries", i);
    goto bad;
  }
  if (map->nentries != i) {
    t_fail(file, line, "nentries %d, expected %d", map->nentries, i);
    goto bad;
  }
  return 1;
bad:
  tm_dump(map);
  return 0;
}
