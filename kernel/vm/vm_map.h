// Virtual memory maps, after DragonFly BSD's sys/vm/vm_map.h (the course's seed).
//
// A vm_map is a sorted, doubly linked list of vm_map_entry under a sentinel,
// `header`, whose start and end are the map's bounds; a red-black tree indexes the
// same entries by start address. Each entry maps [start, end) to a vm_object at
// offset, with a protection, a maximum protection, an inheritance for fork, flags,
// and a wiring count.
//
// What vmlab leaves out of the seed, and why:
//   - sub-maps and the vkernel's VM_MAPTYPE_VPAGETABLE: no virtual kernels here; the
//     maptype field stays, always VM_MAPTYPE_NORMAL.
//   - the LWKT token: the lock (a lockmgr lock) is the only serializer.
// What vmlab adds:
//   - max_free in each entry: the largest free gap in its subtree (FreeBSD keeps
//     the same), so that vm_map_findspace() is O(log n) on a fragmented map too,
//     where a walk down the list from first_free is O(n).
//   - lookup_visits, findspace_visits: entries that lookups and vm_map_findspace()
//     looked at, so tests can see O(log n).
#ifndef _VM_VM_MAP_H_
#define _VM_VM_MAP_H_

#include <sys/types.h>
#include <sys/mman.h>     // MADV_*
#include "kern/rbtree.h"
#include "kern/lock.h"
#include "vm/vm_param.h"

typedef uint32 vm_flags_t;
typedef uint32 vm_eflags_t;
typedef uint8 vm_maptype_t;
typedef uint64 vm_ooffset_t;     // an offset into an object, in bytes
typedef uint64 vm_pindex_t;      // a page index into an object
typedef int boolean_t;

#define VM_MAPTYPE_UNSPECIFIED 0
#define VM_MAPTYPE_NORMAL      1

struct vm_object;

// Objects which live in maps. (The seed's sub_map is not supported.)
union vm_map_object {
  struct vm_object *vm_object;
};

union vm_map_aux {
  vm_offset_t avail_ssize;   // a stack entry's reservation: how far it may still grow
                             // down (lab 4); 0 for any other entry
};

struct vm_map_entry {
  struct vm_map_entry *prev;       // previous entry
  struct vm_map_entry *next;       // next entry
  struct rb_node rb_entry;         // in the map's tree, keyed by start
  vm_offset_t start;               // start address
  vm_offset_t end;                 // end address
  vm_size_t max_free;              // largest free gap before any entry in this subtree
  union vm_map_aux aux;
  union vm_map_object object;      // the object mapped, or null until first needed
  vm_ooffset_t offset;             // offset into the object
  vm_eflags_t eflags;              // MAP_ENTRY_* flags
  vm_maptype_t maptype;
  vm_prot_t protection;
  vm_prot_t max_protection;
  vm_inherit_t inheritance;        // VM_INHERIT_*
  int wired_count;                 // pages may be paged out only if 0
};
typedef struct vm_map_entry *vm_map_entry_t;

#define MAP_ENTRY_NOSYNC          0x0001
#define MAP_ENTRY_STACK           0x0002
#define MAP_ENTRY_COW             0x0004   // copy on write
#define MAP_ENTRY_NEEDS_COPY      0x0008   // shadow the object before the first write
#define MAP_ENTRY_NOFAULT         0x0010
#define MAP_ENTRY_USER_WIRED      0x0020

#define MAP_ENTRY_BEHAV_NORMAL     0x0000
#define MAP_ENTRY_BEHAV_SEQUENTIAL 0x0040
#define MAP_ENTRY_BEHAV_RANDOM     0x0080
#define MAP_ENTRY_BEHAV_RESERVED   0x00C0
#define MAP_ENTRY_BEHAV_MASK       0x00C0

#define MAP_ENTRY_IN_TRANSITION   0x0100   // entry being changed
#define MAP_ENTRY_NEEDS_WAKEUP    0x0200   // waiters on an in-transition entry
#define MAP_ENTRY_NOCOREDUMP      0x0400
#define MAP_ENTRY_KSTACK          0x0800

// Inheritance, with BSD's values (minherit()).
#define VM_INHERIT_SHARE   0
#define VM_INHERIT_COPY    1
#define VM_INHERIT_NONE    2
#define VM_INHERIT_DEFAULT VM_INHERIT_COPY

// Flags for vm_map_[un]clip_range()
#define MAP_CLIP_NO_HOLES 0x0001

// Reserve counts for vm_map_entry_reserve(): enough for any single insertion or
// deletion with its clipping.
#define MAP_RESERVE_COUNT 4
#define MAP_RESERVE_SLOP  32

static inline uint8
vm_map_entry_behavior(struct vm_map_entry *entry)
{
  return entry->eflags & MAP_ENTRY_BEHAV_MASK;
}

static inline void
vm_map_entry_set_behavior(struct vm_map_entry *entry, uint8 behavior)
{
  entry->eflags = (entry->eflags & ~MAP_ENTRY_BEHAV_MASK) | (behavior & MAP_ENTRY_BEHAV_MASK);
}

struct vm_map {
  struct vm_map_entry header;      // list sentinel; header.start/end = min/max
  struct rb_tree rb_root;          // the entries by start address
  struct lock lock;
  int nentries;
  vm_size_t size;                  // sum of the entries' lengths
  uint8 system_map;
  vm_map_entry_t hint;             // the last entry a lookup found
  unsigned int timestamp;          // bumped on every exclusive lock
  vm_map_entry_t first_free;       // no free space below first_free->end
  vm_flags_t flags;                // MAP_WIREFUTURE
  struct pmap *pmap;
  uint32 president_cache;
  uint32 president_ticks;
  uint64 lookup_visits;            // tree nodes visited by vm_map_lookup_entry()
  uint64 findspace_visits;         // entries looked at by vm_map_findspace()
#define min_offset header.start
#define max_offset header.end
};
typedef struct vm_map *vm_map_t;

#define MAP_WIREFUTURE 0x01   // wire all future pages
#define MAP_WIRING     0x02   // (vmlab) a vm_map_wire is under way: one at a time

// Lock macros. Exclusive locking bumps timestamp, so that a caller that dropped
// the lock can tell whether the map changed meanwhile.
#define vm_map_lock(map)                               \
  do {                                                 \
    lockmgr(&(map)->lock, LK_EXCLUSIVE);               \
    (map)->timestamp++;                                \
  } while (0)
// A debug build (make DEBUG=1) checks every invariant of the map whenever an
// exclusive hold ends: after every change.
#ifdef VM_DEBUG
#define vm_map_unlock(map)                             \
  do {                                                 \
    vm_map_assert_valid(map);                          \
    lockmgr(&(map)->lock, LK_RELEASE);                 \
  } while (0)
#else
#define vm_map_unlock(map)        lockmgr(&(map)->lock, LK_RELEASE)
#endif
#define vm_map_lock_read(map)     lockmgr(&(map)->lock, LK_SHARED)
#define vm_map_unlock_read(map)   lockmgr(&(map)->lock, LK_RELEASE)
#define vm_map_lock_read_try(map) lockmgr(&(map)->lock, LK_SHARED | LK_NOWAIT)
#define vm_map_lock_downgrade(map) lockmgr(&(map)->lock, LK_DOWNGRADE)
// Held exclusively by the caller.
#define ASSERT_VM_MAP_LOCKED(map)                                                 \
  KASSERT(lockowned(&(map)->lock), "map %p not locked exclusively by the caller " \
          "(lock status 0x%x)", (map), lockstatus(&(map)->lock))
// Held shared or exclusively (by someone: a shared hold has no owner).
#define ASSERT_VM_MAP_LOCKED_ANY(map) \
  KASSERT(lockstatus(&(map)->lock) != 0, "map %p not locked", (map))

// Shared -> exclusive. Nonzero means the shared hold was lost and the caller must
// start over.
static inline int
vm_map_lock_upgrade(vm_map_t map)
{
  int error = lockmgr(&map->lock, LK_EXCLUPGRADE);
  if (error == 0)
    map->timestamp++;
  return error;
}

#define vm_map_min(map)  ((map)->min_offset)
#define vm_map_max(map)  ((map)->max_offset)
#define vm_map_pmap(map) ((map)->pmap)

// Copy-on-write flags for vm_map_insert() and vm_map_find()
#define MAP_COPY_ON_WRITE      0x0002
#define MAP_NOFAULT            0x0004
#define MAP_PREFAULT           0x0008
#define MAP_PREFAULT_PARTIAL   0x0010
#define MAP_DISABLE_SYNCER     0x0020
#define MAP_IS_STACK           0x0040
#define MAP_IS_KSTACK          0x0080
#define MAP_DISABLE_COREDUMP   0x0100
#define MAP_PREFAULT_MADVISE   0x0200

// vm_fault() flags
#define VM_FAULT_NORMAL        0x00
#define VM_FAULT_CHANGE_WIRING 0x01

// vm_map.c
void vm_map_startup(void);
int vm_map_entry_reserve(int count);
void vm_map_entry_release(int count);
void vm_map_init(struct vm_map *map, vm_offset_t min, vm_offset_t max, pmap_t pmap);
boolean_t vm_map_lookup_entry(vm_map_t map, vm_offset_t addr, vm_map_entry_t *entry);
int vm_map_findspace(vm_map_t map, vm_offset_t start, vm_size_t length, vm_size_t align,
                     int flags, vm_offset_t *addr);
int vm_map_insert(vm_map_t map, int *countp, struct vm_object *object, vm_ooffset_t offset,
                  vm_offset_t start, vm_offset_t end, vm_maptype_t maptype,
                  vm_prot_t prot, vm_prot_t max, int cow);
int vm_map_find(vm_map_t map, struct vm_object *object, vm_ooffset_t offset,
                vm_offset_t *addr, vm_size_t length, vm_size_t align, boolean_t fitit,
                vm_maptype_t maptype, vm_prot_t prot, vm_prot_t max, int cow);
void vm_map_clip_start(vm_map_t map, vm_map_entry_t entry, vm_offset_t addr, int *countp);
void vm_map_clip_end(vm_map_t map, vm_map_entry_t entry, vm_offset_t addr, int *countp);
int vm_map_delete(vm_map_t map, vm_offset_t start, vm_offset_t end, int *countp);
int vm_map_remove(vm_map_t map, vm_offset_t start, vm_offset_t end);
void vm_map_simplify_entry(vm_map_t map, vm_map_entry_t entry, int *countp);
void vm_map_simplify_range(vm_map_t map, vm_map_entry_t from, vm_offset_t end, int *countp);
int vm_map_protect(vm_map_t map, vm_offset_t start, vm_offset_t end, vm_prot_t new_prot,
                   boolean_t set_max);
int vm_map_inherit(vm_map_t map, vm_offset_t start, vm_offset_t end, vm_inherit_t new_inheritance);
int vm_map_madvise(vm_map_t map, vm_offset_t start, vm_offset_t end, int behav, off_t value);
boolean_t vm_map_check_protection(vm_map_t map, vm_offset_t start, vm_offset_t end,
                                  vm_prot_t protection, boolean_t have_lock);
void vm_map_transition_wait(vm_map_t map);
void vm_map_transition_wakeup(vm_map_t map);
void vm_map_entry_allocate_object(vm_map_entry_t entry);
int vm_map_lookup(vm_map_t *var_map, vm_offset_t vaddr, vm_prot_t fault_type,
                  vm_map_entry_t *out_entry, struct vm_object **object, vm_pindex_t *pindex,
                  vm_prot_t *out_prot, boolean_t *wired);
void vm_map_lookup_done(vm_map_t map, vm_map_entry_t entry, int count);
int vm_map_clean(vm_map_t map, vm_offset_t start, vm_offset_t end, boolean_t syncio,
                 boolean_t invalidate);
int vm_map_resident(vm_map_t map, vm_offset_t va);
void vm_map_insert_copy(vm_map_t map, vm_map_entry_t src, struct vm_object *object,
                        vm_ooffset_t offset, int *countp);
vm_size_t vm_map_stack_reserved(vm_map_t map, vm_map_entry_t entry);
void vm_map_set_avail_ssize(vm_map_t map, vm_map_entry_t entry, vm_size_t avail);
// vm_stack.c (lab 4)
int vm_map_stack(vm_map_t map, int *countp, vm_offset_t addrbos, vm_size_t max_ssize,
                 vm_prot_t prot, vm_prot_t max, int cow);
struct proc;
int vm_map_growstack(struct proc *p, vm_offset_t addr);
vm_size_t vm_map_stack_limit(struct proc *p, vm_offset_t va);

// vm_wire.c (lab 5)
int vm_map_wire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok);
int vm_map_unwire(vm_map_t map, vm_offset_t start, vm_offset_t end, int holes_ok);
void vm_map_entry_unwire(vm_map_t map, vm_map_entry_t entry);
vm_size_t vm_map_user_wired(vm_map_t map, vm_offset_t start, vm_offset_t end);
int vm_fork_wired(vm_map_entry_t old, vm_map_t new_map, int *countp);
int vm_map_wire_future(vm_map_t map, vm_offset_t start, vm_offset_t end, uint64 limit);

// vm_fault.c: fault in the pages of [start, end) that are not resident (WILLNEED).
void vm_prefault(vm_map_t map, vm_offset_t start, vm_offset_t end);
// Wire or unwire the pages of [start, end) of a wired entry (lab 5).
int vm_fault_wire(vm_map_t map, vm_map_entry_t entry, vm_offset_t start, vm_offset_t end);
void vm_fault_unwire(vm_map_t map, vm_map_entry_t entry, vm_offset_t start, vm_offset_t end);
// Check every invariant of the map (the map locked): 0, or -1 with *why set to the
// first one broken.
int vm_map_verify(vm_map_t map, const char **why);
void vm_map_assert_valid(vm_map_t map);   // vm_map_verify, or print the map and panic
void vm_map_print(vm_map_t map);          // vm_info.c: the map on the console

#endif
