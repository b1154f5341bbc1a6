// Helpers for tests of vm_map.c: a map with its own fake pmap, and the map
// operations wrapped with the locking and entry reservations they need.
#ifndef _TESTS_HOST_MAPUTIL_H_
#define _TESTS_HOST_MAPUTIL_H_

#include <sys/types.h>
#include "vm/vm_map.h"
#include "vm/vm_object.h"

#define PG 4096UL
#define P(n) ((vm_offset_t)(n) * PG)
#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define RO VM_PROT_READ
#define RWX VM_PROT_ALL

struct tmap {
  struct vm_map map;
  struct pmap pmap;
};

void tmap_init(struct tmap *t, vm_offset_t min, vm_offset_t max);
// Remove everything, check the map is empty and its pmap too, free the pmap.
// Returns 1, or 0 having reported a failure.
int tmap_destroy(struct tmap *t);

// vm_map_insert() with the lock and a reservation.
int tm_insert(vm_map_t map, struct vm_object *obj, vm_ooffset_t off, vm_offset_t start,
              vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow);
// vm_map_delete() with the lock and a reservation.
int tm_delete(vm_map_t map, vm_offset_t start, vm_offset_t end);
// vm_map_findspace() under the lock.
int tm_findspace(vm_map_t map, vm_offset_t start, vm_size_t len, vm_size_t align,
                 vm_offset_t *addr);
// vm_map_lookup_entry() under the shared lock.
boolean_t tm_lookup(vm_map_t map, vm_offset_t addr, vm_map_entry_t *entry);
// Clip the entry containing addr at addr (clip_start, or clip_end when end != 0).
void tm_clip(vm_map_t map, vm_offset_t addr, int end);
// vm_map_simplify_entry() on the entry containing addr.
void tm_simplify(vm_map_t map, vm_offset_t addr);
// vm_map_verify() under the shared lock: 0, or -1 with *why set.
int tm_verify(vm_map_t map, const char **why);
// The n-th entry (0-based), or 0.
vm_map_entry_t tm_entry(vm_map_t map, int n);
// Print the map (for failures).
void tm_dump(vm_map_t map);
// Map one page at va in the fake pmap, as a fault would.
void tm_touch(struct tmap *t, vm_offset_t va, vm_prot_t prot);

#define CHECK_VERIFY(map)                                                           \
  do {                                                                              \
    const char *why_ = "?";                                                         \
    if (tm_verify(map, &why_) != 0) {                                               \
      t_fail(__FILE__, __LINE__, "vm_map_verify: %s", why_);                        \
      tm_dump(map);                                                                 \
    }                                                                               \
  } while (0)

// The entries of a map, as {start, end, protection} in pages (ends at end < 0).
struct xent {
  long start, end;
  int prot;
};
// Compare the map with want (prot < 0: don't care). Returns 1, or 0 after reporting.
int tm_expect(const char *file, int line, vm_map_t map, const struct xent *want, int n);
#define EXPECT_MAP(map, ...)                                                        \
  tm_expect(__FILE__, __LINE__, map, (const struct xent[]){ __VA_ARGS__ },          \
            sizeof((const struct xent[]){ __VA_ARGS__ }) / sizeof(struct xent))

#endif
