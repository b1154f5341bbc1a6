// Unit tests of kernel/vm/vm_map.c: every edge case of labs 1 and 2 (the entries and
// the red-black index; see labs/01-entries.md and labs/02-rbtree.md).
// Addresses are in pages (P(n) = n * 4096); the test map spans pages [16, 1040).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maputil.h"
#include "stubs.h"
#include "test.h"
#include "rng.h"

#define LO 16
#define HI 1040

static struct tmap T;
static vm_map_t M = &T.map;

static void
setup(void)
{
  tmap_init(&T, P(LO), P(HI));
}

static void
teardown(void)
{
  CHECK_VERIFY(M);
  CHECK(tmap_destroy(&T));
}

static vm_object_t
obj_at(vm_offset_t va)
{
  vm_map_entry_t e;
  return tm_lookup(M, va, &e) ? e->object.vm_object : 0;
}

static vm_map_entry_t
entry_at(vm_offset_t va)
{
  vm_map_entry_t e;
  return tm_lookup(M, va, &e) ? e : 0;
}

// ---------------------------------------------------------------- init, insert

static void
map_init_empty(void)
{
  vm_map_entry_t e = (vm_map_entry_t)1;
  setup();
  CHECK_EQ(vm_map_min(M), P(LO));
  CHECK_EQ(vm_map_max(M), P(HI));
  CHECK_EQ(M->nentries, 0);
  CHECK_EQ(M->size, 0);
  CHECK(M->hint == &M->header);
  CHECK(M->first_free == &M->header);
  CHECK(M->header.next == &M->header && M->header.prev == &M->header);
  CHECK(!tm_lookup(M, P(LO), &e) && e == &M->header);
  CHECK(!tm_lookup(M, P(HI - 1), &e) && e == &M->header);
  CHECK(!tm_lookup(M, 0, &e) && e == &M->header);
  unsigned ts = M->timestamp;
  vm_map_lock(M);
  vm_map_unlock(M);
  CHECK_EQ(M->timestamp, ts + 1);      // exclusive locking bumps timestamp
  vm_map_lock_read(M);
  vm_map_unlock_read(M);
  CHECK_EQ(M->timestamp, ts + 1);      // shared does not
  vm_map_lock_read(M);
  CHECK_EQ(vm_map_lock_upgrade(M), 0);
  CHECK_EQ(M->timestamp, ts + 2);      // upgrade does
  vm_map_unlock(M);
  teardown();
}

static void
map_insert_bounds(void)
{
  setup();
  CHECK_EQ(tm_insert(M, 0, 0, P(LO - 1), P(LO + 1), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, P(HI - 1), P(HI + 1), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, P(HI), P(HI + 1), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, P(0), P(1), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, P(20), P(20), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, P(21), P(20), RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(tm_insert(M, 0, 0, ~0UL - PG + 1, 0, RW, RWX, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(M->nentries, 0);
  CHECK_EQ(M->size, 0);
  CHECK_VERIFY(M);
  // The whole map, exactly.
  CHECK_EQ(tm_insert(M, 0, 0, P(LO), P(HI), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { LO, HI, RW });
  CHECK_EQ(M->size, P(HI - LO));
  CHECK(M->first_free == tm_entry(M, 0));
  CHECK_VERIFY(M);
  teardown();
}

static void
map_insert_overlap(void)
{
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(120), P(130), RO, RWX, 0), KERN_SUCCESS);
  static const long bad[][2] = {
    { 95, 101 }, { 109, 115 }, { 100, 110 }, { 102, 104 }, { 90, 140 }, { 105, 125 },
    { 109, 110 }, { 100, 101 }, { 110, 121 }, { 119, 130 }, { 129, 200 },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (!CHECK_EQ(tm_insert(M, 0, 0, P(bad[i][0]), P(bad[i][1]), RO, RWX, 0), KERN_NO_SPACE))
      t_note("overlap case [%ld, %ld)", bad[i][0], bad[i][1]);
  EXPECT_MAP(M, { 100, 110, RW }, { 120, 130, RO });
  CHECK_EQ(M->size, P(20));
  CHECK_VERIFY(M);
  // Exactly filling the hole is fine (and, all compatible, merges to one entry).
  CHECK_EQ(tm_insert(M, 0, 0, P(110), P(120), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 130, RO });
  teardown();
}

// Anonymous memory next to a compatible anonymous entry extends it.
static void
map_insert_fastpath(void)
{
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  vm_map_entry_t first = entry_at(P(100));
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(120), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 120, RW });
  // The same entry, grown: no new entry was made (and merged into it later).
  if (!CHECK(entry_at(P(100)) == first))
    t_note("[100, 110) was not extended in place: a new entry was added and merged");
  CHECK_EQ(M->size, P(20));
  CHECK(obj_at(P(100)) == 0);            // still no object: made on first need
  // Not compatible: different protection, max protection, or copy-on-write.
  REQUIRE_EQ(tm_insert(M, 0, 0, P(120), P(121), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(121), P(122), RO, RW, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(122), P(123), RO, RW, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 120, RW }, { 120, 121, RO }, { 121, 122, RO }, { 122, 123, RO });
  vm_map_entry_t e = entry_at(P(122));
  REQUIRE(e);
  CHECK_EQ(e->eflags & (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY),
           MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY);
  CHECK_VERIFY(M);
  // Before an entry, and into a hole between two: the new entry merges (simplify).
  REQUIRE_EQ(tm_insert(M, 0, 0, P(90), P(100), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 90, 120, RW }, { 120, 121, RO }, { 121, 122, RO }, { 122, 123, RO });
  REQUIRE_EQ(tm_insert(M, 0, 0, P(200), P(210), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(215), P(220), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(210), P(215), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 90, 120, RW }, { 120, 121, RO }, { 121, 122, RO }, { 122, 123, RO },
             { 200, 220, RW });
  CHECK_EQ(M->size, P(30 + 3 + 20));
  CHECK_VERIFY(M);
  teardown();
}

// The fast path with an object: only one that this entry alone uses can grow.
static void
map_insert_fastpath_object(void)
{
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  // Split it (which gives it an object, shared by the halves).
  REQUIRE_EQ(vm_map_protect(M, P(100), P(105), RO, 0), KERN_SUCCESS);
  vm_object_t o = obj_at(P(100));
  REQUIRE(o != 0);
  CHECK(obj_at(P(105)) == o);
  CHECK_EQ(o->ref_count, 2);
  // Shared object: extending [105, 110) would let the other half see the new pages.
  long calls = stub_coalesce_calls;
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(112), RW, RWX, 0), KERN_SUCCESS);
  CHECK(stub_coalesce_calls > calls);
  CHECK_EQ(M->nentries, 3);
  CHECK(obj_at(P(110)) != o);
  CHECK_EQ(o->ref_count, 2);
  CHECK_VERIFY(M);
  // Remove the front half: the object has one reference and may grow.
  REQUIRE_EQ(tm_delete(M, P(100), P(105)), KERN_SUCCESS);
  REQUIRE_EQ(tm_delete(M, P(110), P(112)), KERN_SUCCESS);
  CHECK_EQ(o->ref_count, 1);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(113), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 105, 113, RW });
  CHECK_VERIFY(M);
  CHECK(obj_at(P(112)) == o);
  vm_map_entry_t e = entry_at(P(105));
  REQUIRE(e);
  CHECK_EQ(e->offset, P(5));             // offset unchanged: the object grew after it
  CHECK(o->size >= (e->offset + (e->end - e->start)) / PG);
  // An explicit object is never extended; its reference passes to the map.
  vm_object_t x = vm_object_allocate(OBJT_DEFAULT, 4);
  REQUIRE_EQ(tm_insert(M, x, 0, P(113), P(117), RW, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(M->nentries, 2);
  CHECK(obj_at(P(113)) == x);
  CHECK_EQ(x->ref_count, 1);
  // A failed insert leaves the caller's reference with the caller.
  vm_object_t y = vm_object_allocate(OBJT_DEFAULT, 4);
  CHECK_EQ(tm_insert(M, y, 0, P(112), P(116), RW, RWX, 0), KERN_NO_SPACE);
  CHECK_EQ(y->ref_count, 1);
  vm_object_deallocate(y);
  CHECK_VERIFY(M);
  teardown();
}

// Two entries of one object at contiguous offsets merge when inserted side by side.
static void
map_insert_object_merge(void)
{
  setup();
  vm_object_t o = vm_object_allocate(OBJT_VNODE, 64);
  vm_object_reference(o);
  REQUIRE_EQ(tm_insert(M, o, P(4), P(100), P(110), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, o, P(14), P(110), P(120), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 120, RO });
  CHECK_EQ(o->ref_count, 1);             // the merged-away entry's reference dropped
  // Not contiguous in the object: no merge.
  vm_object_reference(o);
  REQUIRE_EQ(tm_insert(M, o, P(40), P(120), P(125), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 120, RO }, { 120, 125, RO });
  CHECK_EQ(o->ref_count, 2);
  CHECK_VERIFY(M);
  teardown();
}

// ---------------------------------------------------------------- clip, simplify

static void
map_clip(void)
{
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(130), RW, RWX, 0), KERN_SUCCESS);
  long objs = stub_objects_live;
  // At or outside the entry's bounds: nothing happens (and no object is made).
  tm_clip(M, P(100), 0);
  tm_clip(M, P(100), 1);
  CHECK_EQ(M->nentries, 1);
  vm_map_entry_t e = entry_at(P(100));
  REQUIRE(e);
  int count = vm_map_entry_reserve(MAP_RESERVE_COUNT);
  vm_map_lock(M);
  vm_map_clip_end(M, e, P(130), &count);
  vm_map_clip_start(M, e, P(100), &count);
  vm_map_clip_end(M, e, P(200), &count);
  vm_map_unlock(M);
  vm_map_entry_release(count);
  EXPECT_MAP(M, { 100, 130, RW });
  CHECK_EQ(stub_objects_live, objs);
  // Splitting an anonymous entry without an object gives it one first.
  tm_clip(M, P(110), 0);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 130, RW });
  CHECK_EQ(stub_objects_live, objs + 1);
  vm_object_t o = obj_at(P(100));
  REQUIRE(o != 0);
  CHECK(obj_at(P(110)) == o);
  CHECK_EQ(o->ref_count, 2);
  CHECK_EQ(entry_at(P(100))->offset, 0);
  CHECK_EQ(entry_at(P(110))->offset, P(10));
  CHECK_EQ(M->size, P(30));
  // clip_end in the middle of the second: three pieces of one object.
  tm_clip(M, P(120), 1);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 120, RW }, { 120, 130, RW });
  CHECK_EQ(o->ref_count, 3);
  CHECK_EQ(entry_at(P(120))->offset, P(20));
  CHECK(obj_at(P(125)) == o);
  CHECK_EQ(stub_objects_live, objs + 1);
  CHECK_EQ(M->size, P(30));
  // Each piece holds its own reference: unmapping one drops one. (The pieces are
  // mergeable, which vm_map_verify forbids; so no check until none touch.)
  REQUIRE_EQ(tm_delete(M, P(110), P(120)), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 120, 130, RW });
  CHECK_EQ(o->ref_count, 2);
  CHECK_VERIFY(M);
  // An entry with an object at an offset, copy-on-write, inheritance none: the
  // pieces keep every field, and offset + distance.
  vm_object_t x = vm_object_allocate(OBJT_VNODE, 100);
  REQUIRE_EQ(tm_insert(M, x, P(7), P(200), P(210), RO, RW, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  REQUIRE_EQ(vm_map_inherit(M, P(200), P(210), VM_INHERIT_NONE), KERN_SUCCESS);
  tm_clip(M, P(203), 0);
  tm_clip(M, P(206), 1);
  EXPECT_MAP(M, { 100, 110, RW }, { 120, 130, RW }, { 200, 203, RO }, { 203, 206, RO },
             { 206, 210, RO });
  CHECK_EQ(entry_at(P(200))->offset, P(7));
  CHECK_EQ(entry_at(P(203))->offset, P(10));
  CHECK_EQ(entry_at(P(206))->offset, P(13));
  CHECK_EQ(x->ref_count, 3);
  CHECK_EQ(M->size, P(30));
  for (vm_offset_t va = P(200); va < P(210); va += P(3)) {
    vm_map_entry_t p = entry_at(va);
    REQUIRE(p);
    CHECK(p->object.vm_object == x);
    CHECK_EQ(p->max_protection, RW);
    CHECK_EQ(p->inheritance, VM_INHERIT_NONE);
    CHECK_EQ(p->eflags, MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY);
  }
  CHECK_EQ(stub_objects_live, objs + 2);   // no object made for an entry with one
  REQUIRE_EQ(tm_delete(M, P(203), P(206)), KERN_SUCCESS);
  CHECK_EQ(x->ref_count, 2);
  CHECK_VERIFY(M);
  teardown();
}

// ---------------------------------------------------------------- delete

static void
touch_all(vm_offset_t s, vm_offset_t e)
{
  for (vm_offset_t va = s; va < e; va += PG)
    tm_touch(&T, va, RO);
}

// Exactly the PTEs of [s, e) are gone among those of [lo, hi).
static int
ptes_only_outside(vm_offset_t lo, vm_offset_t hi, vm_offset_t s, vm_offset_t e, int *mapped)
{
  for (vm_offset_t va = lo; va < hi; va += PG) {
    int want = mapped[(va - lo) / PG] && !(va >= s && va < e);
    if (stub_pte_lookup(&T.pmap, va, 0) != want)
      return t_fail(__FILE__, __LINE__, "PTE at page %ld is %s", (long)(va / PG),
                    want ? "gone" : "still there");
  }
  return 1;
}

static void
map_delete(void)
{
  static int mapped[60];
  setup();
  // [100,110) [112,120) [125,140) with holes between.
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(112), P(120), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(125), P(140), RW, RWX, 0), KERN_SUCCESS);
  touch_all(P(100), P(110));
  touch_all(P(112), P(120));
  touch_all(P(125), P(140));
  for (int i = 0; i < 60; i++)
    mapped[i] = (i < 10) || (i >= 12 && i < 20) || (i >= 25 && i < 40);
  CHECK_EQ(M->size, P(33));

  // A pure hole: nothing changes, no PTE is lost.
  CHECK_EQ(tm_delete(M, P(110), P(112)), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 112, 120, RO }, { 125, 140, RW });
  CHECK(ptes_only_outside(P(100), P(160), 0, 0, mapped));
  // Empty range: nothing.
  CHECK_EQ(tm_delete(M, P(105), P(105)), KERN_SUCCESS);
  CHECK_EQ(M->nentries, 3);
  // Front of an entry.
  CHECK_EQ(tm_delete(M, P(100), P(102)), KERN_SUCCESS);
  EXPECT_MAP(M, { 102, 110, RW }, { 112, 120, RO }, { 125, 140, RW });
  CHECK(ptes_only_outside(P(100), P(160), P(100), P(102), mapped));
  mapped[0] = mapped[1] = 0;
  CHECK_VERIFY(M);
  // Back of an entry.
  CHECK_EQ(tm_delete(M, P(118), P(120)), KERN_SUCCESS);
  EXPECT_MAP(M, { 102, 110, RW }, { 112, 118, RO }, { 125, 140, RW });
  CHECK(ptes_only_outside(P(100), P(160), P(118), P(120), mapped));
  mapped[18] = mapped[19] = 0;
  CHECK_VERIFY(M);
  // The middle of an entry: two pieces, sharing one object.
  CHECK_EQ(tm_delete(M, P(130), P(133)), KERN_SUCCESS);
  EXPECT_MAP(M, { 102, 110, RW }, { 112, 118, RO }, { 125, 130, RW }, { 133, 140, RW });
  CHECK(ptes_only_outside(P(100), P(160), P(130), P(133), mapped));
  mapped[30] = mapped[31] = mapped[32] = 0;
  vm_object_t o = obj_at(P(125));
  CHECK(o != 0 && obj_at(P(133)) == o && o->ref_count == 2);
  CHECK_EQ(entry_at(P(133))->offset - entry_at(P(125))->offset, P(8));
  CHECK_EQ(M->size, P(8 + 6 + 5 + 7));
  CHECK_VERIFY(M);
  // Spanning entries and holes, ending in the middle of an entry.
  CHECK_EQ(tm_delete(M, P(105), P(127)), KERN_SUCCESS);
  EXPECT_MAP(M, { 102, 105, RW }, { 127, 130, RW }, { 133, 140, RW });
  CHECK(ptes_only_outside(P(100), P(160), P(105), P(127), mapped));
  for (int i = 5; i < 27; i++)
    mapped[i] = 0;
  CHECK_EQ(M->size, P(3 + 3 + 7));
  CHECK_EQ(o->ref_count, 2);
  CHECK_VERIFY(M);
  // Exactly one whole entry.
  CHECK_EQ(tm_delete(M, P(127), P(130)), KERN_SUCCESS);
  EXPECT_MAP(M, { 102, 105, RW }, { 133, 140, RW });
  CHECK_EQ(o->ref_count, 1);
  // start == end is fine (and changes nothing).
  CHECK_EQ(vm_map_remove(M, P(103), P(103)), KERN_SUCCESS);
  CHECK_EQ(M->nentries, 2);
  // Everything, beyond both ends.
  CHECK_EQ(vm_map_remove(M, P(LO), P(HI)), KERN_SUCCESS);
  CHECK_EQ(M->nentries, 0);
  CHECK_EQ(M->size, 0);
  CHECK_EQ(stub_pte_count(&T.pmap), 0);
  CHECK(M->hint == &M->header && M->first_free == &M->header);
  teardown();
}

// hint and first_free fall back to the predecessor when their entry goes.
static void
map_hint_first_free(void)
{
  vm_map_entry_t e;
  setup();
  // [LO, LO+10) [LO+10, LO+20) (incompatible, so two entries) gap [LO+30, LO+40)
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO), P(LO + 10), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO + 10), P(LO + 20), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO + 30), P(LO + 40), RW, RWX, 0), KERN_SUCCESS);
  vm_map_entry_t a = tm_entry(M, 0), b = tm_entry(M, 1), c = tm_entry(M, 2);
  CHECK(M->first_free == b);             // no free space below b->end
  CHECK_VERIFY(M);
  // A hit sets the hint; a miss does not have to.
  CHECK(tm_lookup(M, P(LO + 35), &e) && e == c);
  CHECK(M->hint == c);
  CHECK(tm_lookup(M, P(LO + 12), &e) && e == b);
  CHECK(M->hint == b);
  // Remove b: hint and first_free fall back to a.
  CHECK_EQ(tm_delete(M, P(LO + 10), P(LO + 20)), KERN_SUCCESS);
  CHECK(M->hint == a);
  CHECK(M->first_free == a);
  CHECK_VERIFY(M);
  // Remove a: both fall back to the header.
  CHECK(tm_lookup(M, P(LO), &e) && e == a && M->hint == a);
  CHECK_EQ(tm_delete(M, P(LO), P(LO + 10)), KERN_SUCCESS);
  CHECK(M->hint == &M->header);
  CHECK(M->first_free == &M->header);
  CHECK_VERIFY(M);
  // Refill from the bottom: first_free runs up to the end of the initial run.
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO), P(LO + 30), RO, RWX, 0), KERN_SUCCESS);
  CHECK(M->first_free == c);
  CHECK_VERIFY(M);
  // Cut the middle of the run: first_free is the piece below the hole.
  CHECK_EQ(tm_delete(M, P(LO + 5), P(LO + 6)), KERN_SUCCESS);
  CHECK(M->first_free == tm_entry(M, 0));
  CHECK_EQ(M->first_free->end, P(LO + 5));
  CHECK_VERIFY(M);
  // Refill the hole: the pieces around it share an object, so the new anonymous
  // entry can neither extend the one below nor merge (BSD does the same).
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO + 5), P(LO + 6), RO, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(M->nentries, 4);
  CHECK(M->first_free == tm_entry(M, 3));   // the run from min now reaches c
  CHECK_VERIFY(M);
  CHECK_EQ(tm_delete(M, P(LO), P(LO + 30)), KERN_SUCCESS);
  // Merges (task 4), with the hint on the entry merged away: it moves to a live
  // entry. Pages of one object at contiguous offsets, inserted right to left
  // below c, each merge with the entry after them.
  vm_object_t o = vm_object_allocate(OBJT_VNODE, 64);
  for (int i = 0; i < 3; i++)
    vm_object_reference(o);
  REQUIRE_EQ(tm_insert(M, o, P(20), P(LO + 20), P(LO + 30), RO, RWX, 0), KERN_SUCCESS);
  CHECK(tm_lookup(M, P(LO + 25), &e) && M->hint == e);
  REQUIRE_EQ(tm_insert(M, o, P(10), P(LO + 10), P(LO + 20), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { LO + 10, LO + 30, RO }, { LO + 30, LO + 40, RW });
  CHECK(M->hint == &M->header || M->hint == tm_entry(M, 0) || M->hint == tm_entry(M, 1));
  CHECK(M->first_free == &M->header);
  CHECK(tm_lookup(M, P(LO + 15), &e) && M->hint == e);
  // The run from min now reaches through c: first_free follows the merge.
  REQUIRE_EQ(tm_insert(M, o, 0, P(LO), P(LO + 10), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { LO, LO + 30, RO }, { LO + 30, LO + 40, RW });
  CHECK(M->hint == &M->header || M->hint == tm_entry(M, 0) || M->hint == tm_entry(M, 1));
  CHECK(M->first_free == c);
  CHECK_VERIFY(M);
  // Out and back at the end of the run: the new piece merges with the one before.
  CHECK_EQ(tm_delete(M, P(LO + 20), P(LO + 30)), KERN_SUCCESS);
  CHECK(M->first_free == tm_entry(M, 0));
  CHECK(tm_lookup(M, P(LO + 5), &e) && M->hint == e);
  REQUIRE_EQ(tm_insert(M, o, P(20), P(LO + 20), P(LO + 30), RO, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { LO, LO + 30, RO }, { LO + 30, LO + 40, RW });
  CHECK(M->hint == &M->header || M->hint == tm_entry(M, 0) || M->hint == tm_entry(M, 1));
  CHECK(M->first_free == c);
  CHECK_EQ(o->ref_count, 1);
  CHECK_VERIFY(M);
  teardown();
}

// ---------------------------------------------------------------- findspace

static void
map_findspace(void)
{
  vm_offset_t a = 0;
  setup();
  CHECK_EQ(tm_findspace(M, P(LO), P(1), 0, &a), 0);
  CHECK_EQ(a, P(LO));
  CHECK_EQ(tm_findspace(M, 0, P(1), 0, &a), 0);        // below the map: from min
  CHECK_EQ(a, P(LO));
  CHECK_EQ(tm_findspace(M, P(LO), P(HI - LO), 0, &a), 0);   // the whole map
  CHECK_EQ(a, P(LO));
  CHECK(tm_findspace(M, P(LO), P(HI - LO + 1), 0, &a) != 0);
  CHECK_EQ(tm_findspace(M, P(500), P(3), 0, &a), 0);   // at start when free
  CHECK_EQ(a, P(500));
  // Holes of 1, 2, 4 pages at 101, 104, 110; entries around them.
  REQUIRE_EQ(tm_insert(M, 0, 0, P(LO), P(101), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(102), P(104), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(106), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(114), P(120), RO, RWX, 0), KERN_SUCCESS);
  CHECK_VERIFY(M);
  static const struct { long start, len, align, want; } cases[] = {
    { LO, 1, 1, 101 }, { LO, 2, 1, 104 }, { LO, 3, 1, 110 }, { LO, 4, 1, 110 },
    { LO, 5, 1, 120 }, { 102, 1, 1, 104 }, { 105, 1, 1, 105 }, { 105, 2, 1, 110 },
    { 111, 3, 1, 111 }, { 111, 4, 1, 120 }, { 0, 1, 1, 101 }, { 119, 1, 1, 120 },
    { LO, 2, 2, 104 }, { LO, 1, 4, 104 }, { LO, 2, 8, 104 }, { LO, 3, 8, 120 },
    { LO, 4, 8, 120 }, { 105, 1, 8, 112 },
    { LO, 1, 16, 112 }, { LO, 1, 32, 128 }, { 113, 1, 1, 113 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    a = 0;
    int r = tm_findspace(M, P(cases[i].start), P(cases[i].len), P(cases[i].align), &a);
    if (!CHECK(r == 0 && a == P(cases[i].want)))
      t_note("findspace(start %ld, len %ld, align %ld): r %d, got page %ld, want %ld",
             cases[i].start, cases[i].len, cases[i].align, r, (long)(a / PG), cases[i].want);
  }
  // 64 KiB alignment.
  CHECK_EQ(tm_findspace(M, P(LO), 65536, 65536, &a), 0);
  CHECK_EQ(a, P(128));
  CHECK_EQ(a % 65536, 0);
  // No wrap-around, no room at the top.
  CHECK(tm_findspace(M, P(HI - 1), P(2), 0, &a) != 0);
  CHECK(tm_findspace(M, P(HI), P(1), 0, &a) != 0);
  CHECK(tm_findspace(M, ~0UL - PG + 1, P(2), 0, &a) != 0);
  CHECK(tm_findspace(M, P(LO), ~0UL - PG + 1, 0, &a) != 0);
  CHECK_EQ(tm_findspace(M, P(HI - 1), P(1), 0, &a), 0);
  CHECK_EQ(a, P(HI - 1));
  CHECK(tm_findspace(M, P(HI - 8), P(1), P(32), &a) != 0);    // aligned start beyond max
  CHECK_EQ(tm_findspace(M, P(HI - 40), P(1), P(32), &a), 0);
  CHECK_EQ(a, P(HI - 16));
  // Fill the map up: no room anywhere.
  REQUIRE_EQ(tm_insert(M, 0, 0, P(120), P(HI), RW, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(tm_findspace(M, P(LO), P(1), 0, &a), 0);
  CHECK_EQ(a, P(101));
  REQUIRE_EQ(tm_insert(M, 0, 0, P(101), P(102), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(104), P(106), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(114), RO, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(M->size, P(HI - LO));
  CHECK(tm_findspace(M, P(LO), P(1), 0, &a) != 0);
  CHECK(tm_findspace(M, 0, P(1), 0, &a) != 0);
  CHECK_VERIFY(M);
  // Hole reuse: delete an entry in the middle and find exactly its place.
  REQUIRE_EQ(tm_delete(M, P(300), P(310)), KERN_SUCCESS);
  CHECK_EQ(tm_findspace(M, P(LO), P(10), 0, &a), 0);
  CHECK_EQ(a, P(300));
  CHECK(tm_findspace(M, P(LO), P(11), 0, &a) != 0);
  CHECK(tm_findspace(M, P(301), P(10), 0, &a) != 0);
  CHECK_EQ(tm_findspace(M, P(305), P(5), 0, &a), 0);
  CHECK_EQ(a, P(305));
  teardown();
}

// vm_map_find: at *addr, or with fitit at the first fit at or above it.
static void
map_find(void)
{
  vm_offset_t a;
  setup();
  a = P(200);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 0, VM_MAPTYPE_NORMAL, RW, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(a, P(200));
  a = P(205);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 0, VM_MAPTYPE_NORMAL, RO, RWX, 0), KERN_NO_SPACE);
  CHECK_EQ(a, P(205));
  a = P(205);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 1, VM_MAPTYPE_NORMAL, RO, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(a, P(210));
  a = P(195);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 1, VM_MAPTYPE_NORMAL, RO, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(a, P(220));
  a = P(190);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), P(16), 1, VM_MAPTYPE_NORMAL, RO, RWX, 0),
           KERN_SUCCESS);
  CHECK_EQ(a, P(240));
  a = P(HI - 5);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 1, VM_MAPTYPE_NORMAL, RO, RWX, 0), KERN_NO_SPACE);
  CHECK_EQ(a, P(HI - 5));
  a = P(HI - 5);
  CHECK_EQ(vm_map_find(M, 0, 0, &a, P(10), 0, 0, VM_MAPTYPE_NORMAL, RO, RWX, 0),
           KERN_INVALID_ADDRESS);
  EXPECT_MAP(M, { 200, 210, RW }, { 210, 230, RO }, { 240, 250, RO });
  CHECK_EQ(lockstatus(&M->lock), 0);
  teardown();
}

// ---------------------------------------------------------------- protect

struct snap {
  int n;
  struct vm_map_entry e[16];
};

static void
snapshot(struct snap *s)
{
  s->n = 0;
  for (vm_map_entry_t e = M->header.next; e != &M->header && s->n < 16; e = e->next)
    s->e[s->n++] = *e;
}

static int
same_as(const struct snap *s)
{
  int i = 0;
  for (vm_map_entry_t e = M->header.next; e != &M->header; e = e->next, i++) {
    if (i >= s->n)
      return 0;
    const struct vm_map_entry *o = &s->e[i];
    if (e->start != o->start || e->end != o->end || e->protection != o->protection ||
        e->max_protection != o->max_protection || e->inheritance != o->inheritance ||
        e->eflags != o->eflags || e->object.vm_object != o->object.vm_object ||
        e->offset != o->offset)
      return 0;
  }
  return i == s->n && M->nentries == s->n;
}

static void
map_protect(void)
{
  vm_prot_t p;
  struct snap s;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(130), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(140), P(150), RO, RO, 0), KERN_SUCCESS);
  touch_all(P(100), P(130));
  for (vm_offset_t va = P(100); va < P(130); va += PG)
    tm_touch(&T, va, RW);
  // Lower the middle: three entries, PTEs of the middle only read-only.
  stub_pmap_log_reset();
  CHECK_EQ(vm_map_protect(M, P(110), P(120), RO, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 120, RO }, { 120, 130, RW }, { 140, 150, RO });
  CHECK_EQ(M->size, P(40));
  for (vm_offset_t va = P(100); va < P(130); va += PG) {
    REQUIRE(stub_pte_lookup(&T.pmap, va, &p));
    if (!CHECK_EQ(p, (va >= P(110) && va < P(120)) ? RO : RW))
      break;
  }
  CHECK(stub_pmap_ncalls >= 1);
  CHECK_VERIFY(M);
  // And back: the pieces merge again.
  CHECK_EQ(vm_map_protect(M, P(110), P(120), RW, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 130, RW }, { 140, 150, RO });
  vm_object_t o = obj_at(P(100));
  CHECK(o == 0 || o->ref_count == 1);
  CHECK_VERIFY(M);
  // Above max_protection: failure, nothing changed, even where it would fit.
  snapshot(&s);
  stub_pmap_log_reset();
  CHECK_EQ(vm_map_protect(M, P(105), P(145), RW, 0), KERN_PROTECTION_FAILURE);
  CHECK(same_as(&s));
  CHECK_EQ(stub_pmap_ncalls, 0);
  // Inside one anonymous entry: not even an object is made for it.
  CHECK_EQ(vm_map_protect(M, P(141), P(142), RO | VM_PROT_EXECUTE, 0), KERN_PROTECTION_FAILURE);
  if (!CHECK(same_as(&s)))
    t_note("a failed vm_map_protect changed the map (object of [140, 150): %p, was %p)",
           (void *)obj_at(P(140)), (void *)s.e[1].object.vm_object);
  CHECK_VERIFY(M);
  // Holes are skipped.
  CHECK_EQ(vm_map_protect(M, P(LO), P(HI), RO, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 130, RO }, { 140, 150, RO });
  CHECK(stub_pte_lookup(&T.pmap, P(125), &p) && p == RO);
  CHECK_EQ(vm_map_protect(M, P(131), P(139), RW, 0), KERN_SUCCESS);   // only a hole
  EXPECT_MAP(M, { 100, 130, RO }, { 140, 150, RO });
  // set_max: lowers max and the current protection with it.
  CHECK_EQ(vm_map_protect(M, P(100), P(130), RW, 0), KERN_SUCCESS);
  CHECK_EQ(vm_map_protect(M, P(120), P(130), RO, 1), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 120, RW }, { 120, 130, RO }, { 140, 150, RO });
  CHECK_EQ(entry_at(P(125))->max_protection, RO);
  CHECK_EQ(entry_at(P(115))->max_protection, RWX);
  CHECK_EQ(vm_map_protect(M, P(120), P(130), RW, 0), KERN_PROTECTION_FAILURE);
  // set_max to more than the current protection keeps the current protection.
  CHECK_EQ(vm_map_protect(M, P(100), P(110), RWX, 1), KERN_SUCCESS);
  CHECK_EQ(entry_at(P(105))->protection, RW);
  CHECK_EQ(entry_at(P(105))->max_protection, RWX);
  CHECK_VERIFY(M);
  // PROT_NONE: the PTEs go.
  CHECK_EQ(vm_map_protect(M, P(100), P(102), VM_PROT_NONE, 0), KERN_SUCCESS);
  CHECK(!stub_pte_lookup(&T.pmap, P(100), 0) && !stub_pte_lookup(&T.pmap, P(101), 0));
  CHECK(stub_pte_lookup(&T.pmap, P(102), 0));
  CHECK_VERIFY(M);
  teardown();
}

// A copy-on-write entry's PTEs stay read-only when its protection is raised.
static void
map_protect_cow(void)
{
  vm_prot_t p;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RO, RWX, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  touch_all(P(100), P(110));
  CHECK_EQ(vm_map_protect(M, P(100), P(110), RW, 0), KERN_SUCCESS);
  for (vm_offset_t va = P(100); va < P(110); va += PG)
    if (!CHECK(stub_pte_lookup(&T.pmap, va, &p) && !(p & VM_PROT_WRITE)))
      break;
  CHECK_EQ(entry_at(P(100))->protection, RW);
  teardown();
}

// ---------------------------------------------------------------- inherit, madvise

static void
map_inherit(void)
{
  struct snap s;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(130), RW, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(entry_at(P(100))->inheritance, VM_INHERIT_DEFAULT);
  CHECK_EQ(VM_INHERIT_DEFAULT, VM_INHERIT_COPY);
  CHECK_EQ(VM_INHERIT_SHARE, 0);
  CHECK_EQ(VM_INHERIT_COPY, 1);
  CHECK_EQ(VM_INHERIT_NONE, 2);
  CHECK_EQ(vm_map_inherit(M, P(110), P(120), VM_INHERIT_SHARE), KERN_SUCCESS);
  CHECK_EQ(vm_map_inherit(M, P(120), P(125), VM_INHERIT_NONE), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 120, RW }, { 120, 125, RW }, { 125, 130, RW });
  CHECK_EQ(entry_at(P(100))->inheritance, VM_INHERIT_COPY);
  CHECK_EQ(entry_at(P(115))->inheritance, VM_INHERIT_SHARE);
  CHECK_EQ(entry_at(P(121))->inheritance, VM_INHERIT_NONE);
  CHECK_EQ(entry_at(P(129))->inheritance, VM_INHERIT_COPY);
  CHECK_VERIFY(M);
  snapshot(&s);
  CHECK_EQ(vm_map_inherit(M, P(100), P(130), 3), KERN_INVALID_ARGUMENT);
  CHECK_EQ(vm_map_inherit(M, P(100), P(130), 255), KERN_INVALID_ARGUMENT);
  CHECK(same_as(&s));
  // Over holes, and back to one entry.
  CHECK_EQ(vm_map_inherit(M, P(LO), P(HI), VM_INHERIT_COPY), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 130, RW });
  // A different inheritance blocks the anonymous fast path.
  CHECK_EQ(vm_map_inherit(M, P(100), P(130), VM_INHERIT_SHARE), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(130), P(131), RW, RWX, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 130, RW }, { 130, 131, RW });
  CHECK_EQ(entry_at(P(130))->inheritance, VM_INHERIT_COPY);
  CHECK_VERIFY(M);
  teardown();
}

static void
map_madvise(void)
{
  struct snap s;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(130), RW, RWX, 0), KERN_SUCCESS);
  CHECK_EQ(vm_map_madvise(M, P(110), P(120), MADV_RANDOM, 0), KERN_SUCCESS);
  CHECK_EQ(vm_map_madvise(M, P(120), P(125), MADV_SEQUENTIAL, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 110, RW }, { 110, 120, RW }, { 120, 125, RW }, { 125, 130, RW });
  CHECK_EQ(vm_map_entry_behavior(entry_at(P(105))), MAP_ENTRY_BEHAV_NORMAL);
  CHECK_EQ(vm_map_entry_behavior(entry_at(P(115))), MAP_ENTRY_BEHAV_RANDOM);
  CHECK_EQ(vm_map_entry_behavior(entry_at(P(122))), MAP_ENTRY_BEHAV_SEQUENTIAL);
  CHECK_EQ(vm_map_entry_behavior(entry_at(P(127))), MAP_ENTRY_BEHAV_NORMAL);
  CHECK_VERIFY(M);
  snapshot(&s);
  CHECK_EQ(vm_map_madvise(M, P(100), P(130), 6, 0), KERN_INVALID_ARGUMENT);
  CHECK_EQ(vm_map_madvise(M, P(100), P(130), -1, 0), KERN_INVALID_ARGUMENT);
  CHECK_EQ(vm_map_madvise(M, P(100), P(130), 1000, 0), KERN_INVALID_ARGUMENT);
  CHECK(same_as(&s));
  // NORMAL over everything (holes too) merges the pieces back.
  CHECK_EQ(vm_map_madvise(M, P(LO), P(HI), MADV_NORMAL, 0), KERN_SUCCESS);
  EXPECT_MAP(M, { 100, 130, RW });
  // DONTNEED drops the PTEs of the range and leaves the entries alone.
  touch_all(P(100), P(130));
  snapshot(&s);
  CHECK_EQ(vm_map_madvise(M, P(105), P(110), MADV_DONTNEED, 0), KERN_SUCCESS);
  CHECK(same_as(&s));
  for (vm_offset_t va = P(100); va < P(130); va += PG)
    if (!CHECK_EQ(stub_pte_lookup(&T.pmap, va, 0), !(va >= P(105) && va < P(110))))
      break;
  // WILLNEED prefaults the range.
  long calls = stub_prefault_calls;
  CHECK_EQ(vm_map_madvise(M, P(100), P(104), MADV_WILLNEED, 0), KERN_SUCCESS);
  CHECK_EQ(stub_prefault_calls, calls + 1);
  CHECK(stub_prefault_start == P(100) && stub_prefault_end == P(104));
  // FREE on an object only this entry uses lets it drop the pages.
  tm_clip(M, P(110), 0);
  tm_simplify(M, P(110));                  // now one entry with an object of its own
  REQUIRE(obj_at(P(100)) != 0);
  calls = stub_page_remove_calls;
  CHECK_EQ(vm_map_madvise(M, P(110), P(112), MADV_FREE, 0), KERN_SUCCESS);
  CHECK(stub_page_remove_calls > calls);
  CHECK(!stub_pte_lookup(&T.pmap, P(111), 0));
  CHECK_EQ(lockstatus(&M->lock), 0);
  CHECK_VERIFY(M);
  teardown();
}

// ---------------------------------------------------------------- lookup

static void
map_lookup(void)
{
  vm_map_entry_t e;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(120), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(130), P(140), RW, RWX, 0), KERN_SUCCESS);
  vm_map_entry_t a = tm_entry(M, 0), b = tm_entry(M, 1), c = tm_entry(M, 2);
  CHECK(!tm_lookup(M, P(LO), &e) && e == &M->header);       // below the first
  CHECK(!tm_lookup(M, P(100) - 1, &e) && e == &M->header);
  CHECK(tm_lookup(M, P(100), &e) && e == a);
  CHECK(tm_lookup(M, P(110) - 1, &e) && e == a);
  CHECK(tm_lookup(M, P(110), &e) && e == b);                // a's end is b's start
  CHECK(!tm_lookup(M, P(120), &e) && e == b);               // b's end: a miss, b
  CHECK(!tm_lookup(M, P(125), &e) && e == b);               // in the gap
  CHECK(tm_lookup(M, P(135) + 17, &e) && e == c);
  CHECK(!tm_lookup(M, P(140), &e) && e == c);               // above the last
  CHECK(!tm_lookup(M, P(HI - 1), &e) && e == c);
  CHECK(!tm_lookup(M, ~0UL, &e) && e == c);
  // The hint is only a shortcut: with the hint on c, lookups elsewhere still work.
  CHECK(tm_lookup(M, P(131), &e) && e == c && M->hint == c);
  CHECK(tm_lookup(M, P(101), &e) && e == a && M->hint == a);
  CHECK(!tm_lookup(M, P(125), &e) && e == b);
  CHECK(!tm_lookup(M, P(LO), &e) && e == &M->header);
  // check_protection: every address mapped with at least the protection.
  CHECK(vm_map_check_protection(M, P(100), P(120), RO, 0));
  CHECK(!vm_map_check_protection(M, P(100), P(120), RW, 0));
  CHECK(vm_map_check_protection(M, P(101), P(109), RW, 0));
  CHECK(!vm_map_check_protection(M, P(115), P(131), RO, 0));   // a hole
  CHECK(!vm_map_check_protection(M, P(99), P(101), RO, 0));
  CHECK_EQ(lockstatus(&M->lock), 0);
  teardown();
}

// vm_map_lookup, the fault's half in the map: the entry, its object (made, or
// shadowed for a write to a NEEDS_COPY entry), the page index, the protection; the
// map read-locked on success only.
static void
map_fault_lookup(void)
{
  vm_map_t m = M;
  vm_map_entry_t e;
  vm_object_t obj, file = vm_object_allocate(OBJT_VNODE, 64);
  vm_pindex_t pi;
  vm_prot_t prot;
  boolean_t wired;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(120), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, file, P(8), P(130), P(140), RW, RWX, MAP_COPY_ON_WRITE),
             KERN_SUCCESS);
  CHECK_EQ(vm_map_lookup(&m, P(125), VM_PROT_READ, &e, &obj, &pi, &prot, &wired),
           KERN_INVALID_ADDRESS);
  CHECK_EQ(lockstatus(&M->lock), 0);
  CHECK_EQ(vm_map_lookup(&m, P(111), VM_PROT_WRITE, &e, &obj, &pi, &prot, &wired),
           KERN_PROTECTION_FAILURE);
  CHECK_EQ(lockstatus(&M->lock), 0);
  // An anonymous entry gets its object on the first fault.
  REQUIRE_EQ(vm_map_lookup(&m, P(103) + 5, VM_PROT_READ, &e, &obj, &pi, &prot, &wired),
             KERN_SUCCESS);
  CHECK_EQ(lockstatus(&M->lock), LK_SHARED);
  CHECK(e == entry_at(P(100)) && obj != 0 && obj == e->object.vm_object);
  CHECK_EQ(pi, 3);
  CHECK_EQ(prot, RW);
  CHECK(!wired);
  vm_map_lookup_done(m, e, 0);
  CHECK_EQ(lockstatus(&M->lock), 0);
  // A read of a NEEDS_COPY entry maps the file's own pages: no shadow yet.
  REQUIRE_EQ(vm_map_lookup(&m, P(132), VM_PROT_READ, &e, &obj, &pi, &prot, &wired),
             KERN_SUCCESS);
  CHECK(obj == file && (e->eflags & MAP_ENTRY_NEEDS_COPY));
  CHECK_EQ(pi, 10);
  vm_map_lookup_done(m, e, 0);
  // A write when memory is short: the entry as it was, the map unlocked.
  stub_shadow_fail = 1;
  CHECK_EQ(vm_map_lookup(&m, P(132), VM_PROT_WRITE, &e, &obj, &pi, &prot, &wired),
           KERN_RESOURCE_SHORTAGE);
  stub_shadow_fail = 0;
  CHECK_EQ(lockstatus(&M->lock), 0);
  e = entry_at(P(132));
  CHECK(e->object.vm_object == file && (e->eflags & MAP_ENTRY_NEEDS_COPY));
  // A write shadows the file: a private object in front, at the entry's offset.
  REQUIRE_EQ(vm_map_lookup(&m, P(132), VM_PROT_WRITE, &e, &obj, &pi, &prot, &wired),
             KERN_SUCCESS);
  CHECK(obj != file && obj->backing_object == file && obj->type == OBJT_DEFAULT);
  CHECK_EQ(obj->backing_object_offset, P(8));
  CHECK_EQ(file->shadow_count, 1);
  CHECK(!(e->eflags & MAP_ENTRY_NEEDS_COPY) && (e->eflags & MAP_ENTRY_COW));
  CHECK_EQ(e->offset, 0);
  CHECK_EQ(pi, 2);
  vm_map_lookup_done(m, e, 0);
  teardown();
}

// mincore's vm_map_resident: mapped in the page table, or nowhere (the host's
// objects hold no pages). msync's vm_map_clean: the whole range mapped, and only
// shared file mappings written back.
static void
map_resident_clean(void)
{
  vm_object_t file = vm_object_allocate(OBJT_VNODE, 64);
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, file, P(4), P(110), P(120), RW, RWX, 0), KERN_SUCCESS);
  tm_touch(&T, P(101), RO);
  vm_map_lock_read(M);
  CHECK(vm_map_resident(M, P(101)));
  CHECK(!vm_map_resident(M, P(102)));
  CHECK(!vm_map_resident(M, P(125)));
  vm_map_unlock_read(M);
  long puts = stub_putpages_calls, invals = stub_invalidate_calls;
  CHECK_EQ(vm_map_clean(M, P(105), P(121), 1, 0), KERN_INVALID_ADDRESS);   // a hole
  CHECK_EQ(vm_map_clean(M, P(90), P(101), 1, 0), KERN_INVALID_ADDRESS);
  CHECK_EQ(stub_putpages_calls, puts);
  CHECK_EQ(vm_map_clean(M, P(100), P(110), 1, 0), KERN_SUCCESS);           // anonymous
  CHECK_EQ(stub_putpages_calls, puts);
  CHECK_EQ(vm_map_clean(M, P(105), P(113), 1, 0), KERN_SUCCESS);
  CHECK_EQ(stub_putpages_calls, puts + 1);
  CHECK_EQ(stub_pager_first, 4);
  CHECK_EQ(stub_pager_last, 7);
  CHECK_EQ(stub_invalidate_calls, invals);
  CHECK_EQ(vm_map_clean(M, P(112), P(120), 1, 1), KERN_SUCCESS);
  CHECK_EQ(stub_invalidate_calls, invals + 1);
  CHECK_EQ(stub_pager_first, 6);
  CHECK_EQ(stub_pager_last, 14);
  CHECK_EQ(lockstatus(&M->lock), 0);
  teardown();
}

// Lookups cost O(log n): at most 2 log2(n+1) + 2 tree nodes each, hint defeated.
static void
lookup_cost(int n)
{
  struct tmap t;
  vm_map_entry_t e;
  struct rng r;
  long pages0 = stub_pages_live;

  double bound = 2 * log2(n + 1.0) + 2;
  // One page every two, so that nothing merges.
  tmap_init(&t, P(16), P(16 + 2L * n + 16));
  for (long i = 0; i < n; i++) {
    uint64_t v0 = t.map.lookup_visits;
    int rr = tm_insert(&t.map, 0, 0, P(16 + 2 * i), P(17 + 2 * i), RW, RWX, 0);
    if (rr != KERN_SUCCESS) {
      CHECK_EQ(rr, KERN_SUCCESS);
      break;
    }
    // A lookup down the list visits every entry: say so now, not after n * n / 2.
    if (t.map.lookup_visits - v0 > 2 * bound) {
      t_fail(__FILE__, __LINE__, "inserting entry %ld took %lu lookup visits (bound %.1f)", i,
             (unsigned long)(t.map.lookup_visits - v0), bound);
      break;
    }
  }
  if (t.map.nentries != n) {
    CHECK_EQ(t.map.nentries, n);
    CHECK(tmap_destroy(&t));
    return;
  }
  CHECK_VERIFY(&t.map);
  rng_seed(&r, n);
  uint64_t maxv = 0, total = 0;
  int lookups = 20000;
  for (int i = 0; i < lookups; i++) {
    long k = rng_below(&r, n);
    vm_offset_t va = P(16 + 2 * k) + (i & 1 ? PG : 0);   // in an entry, or in the gap after
    vm_map_lock_read(&t.map);
    t.map.hint = &t.map.header;                           // defeat the hint
    uint64_t v0 = t.map.lookup_visits;
    boolean_t hit = vm_map_lookup_entry(&t.map, va, &e);
    uint64_t v = t.map.lookup_visits - v0;
    vm_map_unlock_read(&t.map);
    if (!CHECK(hit == !(i & 1) && e->start == P(16 + 2 * k)))
      break;
    total += v;
    if (v > maxv)
      maxv = v;
  }
  t_note("n=%d: %.2f visits per lookup on average, %lu at most (bound %.1f)", n,
         (double)total / lookups, (unsigned long)maxv, bound);
  CHECK(maxv <= bound);
  CHECK(maxv > 0);
  CHECK(tmap_destroy(&t));
  // Every entry went back to the zone, and the zone gave its pages back.
  CHECK_EQ(stub_pages_live, pages0);
}

static void
map_lookup_cost_10000(void)
{
  lookup_cost(10000);
}

static void
map_lookup_cost_65536(void)
{
  lookup_cost(65536);
}

// First fit costs O(log n) too: a map of one-page entries with one-page gaps, and
// one wider hole at a random place; findspace must find exactly that hole, looking
// at no more than 4 log2(n+1) + 4 entries (a walk down the list looks at k of them).
static void
map_findspace_cost(void)
{
  struct tmap t;
  struct rng r;
  vm_offset_t a;
  long pages0 = stub_pages_live;
  const int n = 4096;
  double bound = 4 * log2(n + 1.0) + 4;
  uint64_t maxv = 0;

  tmap_init(&t, P(16), P(16 + 2L * n + 16));
  for (long i = 0; i < n; i++)
    if (tm_insert(&t.map, 0, 0, P(16 + 2 * i), P(17 + 2 * i), RW, RWX, 0) != KERN_SUCCESS) {
      CHECK(!"insert");
      CHECK(tmap_destroy(&t));
      return;
    }
  rng_seed(&r, n);
  for (int i = 0; i < 200; i++) {
    // Remove entry k: a three-page hole, the only one that fits three pages.
    long k = n / 2 + rng_below(&r, n / 2 - 1);
    if (!CHECK_EQ(tm_delete(&t.map, P(16 + 2 * k), P(17 + 2 * k)), KERN_SUCCESS))
      break;
    uint64_t v0 = t.map.findspace_visits;
    int rr = tm_findspace(&t.map, P(16), P(3), PG, &a);
    uint64_t v = t.map.findspace_visits - v0;
    if (!CHECK_EQ(rr, 0) || !CHECK_EQ(a, P(15 + 2 * k)))
      break;
    if (v > maxv)
      maxv = v;
    if (!CHECK_EQ(tm_insert(&t.map, 0, 0, P(16 + 2 * k), P(17 + 2 * k), RW, RWX, 0),
                  KERN_SUCCESS))
      break;
  }
  t_note("n=%d: %lu entries looked at by a findspace at most (bound %.1f)", n,
         (unsigned long)maxv, bound);
  CHECK(maxv > 0);
  CHECK(maxv <= bound);
  CHECK(tmap_destroy(&t));
  CHECK_EQ(stub_pages_live, pages0);
}

// ---------------------------------------------------------------- verify can fail

static void
expect_broken(int line, const char *what)
{
  const char *why = 0;
  if (tm_verify(M, &why) == 0)
    t_fail(__FILE__, line, "vm_map_verify accepted a map with %s", what);
  else if (why == 0)
    t_fail(__FILE__, line, "vm_map_verify failed on %s without saying why", what);
}

#define BROKEN(what) expect_broken(__LINE__, what)

static void
map_verify_catches(void)
{
  struct vm_map_entry fake;
  setup();
  REQUIRE_EQ(tm_insert(M, 0, 0, P(100), P(110), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(110), P(120), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(130), P(140), RW, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(150), P(160), RO, RWX, 0), KERN_SUCCESS);
  REQUIRE_EQ(tm_insert(M, 0, 0, P(170), P(180), RW, RWX, 0), KERN_SUCCESS);
  CHECK_VERIFY(M);
  vm_map_entry_t a = tm_entry(M, 0), b = tm_entry(M, 1), c = tm_entry(M, 2);
  vm_offset_t t;

  t = b->start; b->start = c->start; c->start = t;            // swap two starts
  BROKEN("two entries' starts swapped");
  t = b->start; b->start = c->start; c->start = t;
  CHECK_VERIFY(M);

  M->nentries++;
  BROKEN("nentries off by one");
  M->nentries--;
  M->size += PG;
  BROKEN("size off by a page");
  M->size -= PG;
  CHECK_VERIFY(M);

  vm_map_entry_t h = M->hint;
  M->hint = &fake;                                            // a freed/foreign entry
  BROKEN("hint pointing outside the map");
  M->hint = h;
  vm_map_entry_t ff = M->first_free;
  M->first_free = &fake;
  BROKEN("first_free pointing outside the map");
  M->first_free = c;
  BROKEN("first_free past a gap");
  M->first_free = ff;
  CHECK_VERIFY(M);

  c->end += PG / 2;
  BROKEN("an unaligned end");
  c->end -= PG / 2;
  c->end = P(151);
  BROKEN("overlapping entries");
  c->end = P(140);
  c->start = c->end;
  BROKEN("an empty entry");
  c->start = P(130);
  CHECK_VERIFY(M);

  c->max_free += PG;
  BROKEN("a wrong max_free");
  c->max_free -= PG;
  c->eflags |= MAP_ENTRY_NEEDS_COPY;
  BROKEN("NEEDS_COPY without COW");
  c->eflags &= ~MAP_ENTRY_NEEDS_COPY;
  b->protection = a->protection;
  BROKEN("two mergeable neighbours");
  b->protection = RO;
  CHECK_VERIFY(M);

  if (!CHECK(M->rb_root.root != 0)) {   // the entries are not in the tree at all
    teardown();
    return;
  }
  int red = M->rb_root.root->red;
  M->rb_root.root->red = 1;
  BROKEN("a red root");
  M->rb_root.root->red = red;
  struct rb_node *l = M->rb_root.root->left;
  M->rb_root.root->left = 0;
  BROKEN("a subtree missing from the tree");
  M->rb_root.root->left = l;
  CHECK_VERIFY(M);

  // Out of bounds: shrink the map under the last entry.
  M->header.end = P(175);
  BROKEN("an entry beyond the map's max");
  M->header.end = P(HI);
  CHECK_VERIFY(M);
  teardown();
}

const struct test vm_map_tests[] = {
  { "map_init_empty", map_init_empty, "entries" },
  { "map_insert_bounds", map_insert_bounds, "entries" },
  { "map_insert_overlap", map_insert_overlap, "entries", 4 },
  { "map_insert_fastpath", map_insert_fastpath, "entries", 6 },
  { "map_insert_fastpath_object", map_insert_fastpath_object, "entries", 6 },
  { "map_insert_object_merge", map_insert_object_merge, "entries", 4 },
  { "map_clip", map_clip, "entries", 2 },
  { "map_delete", map_delete, "entries", 2 },
  { "map_hint_first_free", map_hint_first_free, "entries", 4 },
  { "map_findspace", map_findspace, "entries", 4 },
  { "map_find", map_find, "entries", 4 },
  { "map_protect", map_protect, "entries", 5 },
  { "map_protect_cow", map_protect_cow, "entries", 5 },
  { "map_inherit", map_inherit, "entries", 4 },
  { "map_madvise", map_madvise, "entries", 4 },
  { "map_lookup", map_lookup, "entries" },
  { "map_fault_lookup", map_fault_lookup, "entries" },
  { "map_resident_clean", map_resident_clean, "entries" },
  { "map_lookup_cost_10000", map_lookup_cost_10000, "rbtree", 6 },
  { "map_lookup_cost_65536", map_lookup_cost_65536, "rbtree", 6 },
  { "map_findspace_cost", map_findspace_cost, "rbtree", 8 },
  { "map_verify_catches", map_verify_catches, "rbtree", 7 },
  { 0, 0, 0 },
};
