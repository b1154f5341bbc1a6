// The randomized model check: a million random operations on a vm_map of NP pages,
// each checked against a plain reference model (one record per page) for its
// result code, and the map checked by vm_map_verify() after every operation.
// After each operation the pages around it are compared with the model; every
// FULL_EVERY operations the whole map is, together with the object reference
// counts and the fake page table.
//
// Two tests: model_check compares through the entry list, which lab 1 builds;
// model_check_tree (lab 2) also checks the map's red-black tree after every
// operation, with code of its own, not the lab's vm_map_verify() and rb_check().
//
//   VMLAB_SEED=n        another seed (the default is fixed; a failure prints it)
//   VMLAB_MODEL_OPS=n   another number of operations (default 1000000, and a quarter
//                       of that in model_check_tree, whose checks cost more)
//   VMLAB_MODEL_TRACE=1 print every operation
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maputil.h"
#include "stubs.h"
#include "test.h"
#include "rng.h"

#define NP 4096                 // pages in the map
#define BASE 16                 // the map is pages [BASE, BASE + NP)
#define FULL_EVERY 256
#define ADDR(i) P(BASE + (long)(i))
#define DEFAULT_SEED 20240601ULL
#define TRACE_KEEP 24
#ifndef LEN_A
#define LEN_A 35
#endif
#ifndef LEN_B
#define LEN_B 80
#endif

struct page {
  uint8_t mapped, prot, max, inh, behav, cow;
  vm_object_t obj;              // known object and page index, or 0 (not known yet)
  uint64_t pidx;
};

static struct page md[NP];
static long md_mapped;
static struct tmap T;
static vm_map_t M = &T.map;
static struct rng R;
static uint64_t seed;
static long opno;
static int trace;
static int check_tree;          // model_check_tree

// The last operations, for the failure report.
static char tracebuf[TRACE_KEEP][160];

static void
op_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
op_note(const char *fmt, ...)
{
  va_list ap;
  char *b = tracebuf[opno % TRACE_KEEP];
  int n = snprintf(b, 160, "#%ld ", opno);
  va_start(ap, fmt);
  vsnprintf(b + n, 160 - n, fmt, ap);
  va_end(ap);
  if (trace)
    fprintf(stdout, "    %s\n", b);
}

static int
failed_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
failed_at(const char *file, int line, const char *fmt, ...)
{
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  t_fail(file, line, "seed %llu (VMLAB_SEED=%llu), operation #%ld: %s",
         (unsigned long long)seed, (unsigned long long)seed, opno, msg);
  fprintf(stdout, "    the last operations (pages are absolute: the map is [%d, %d)):\n",
          BASE, BASE + NP);
  for (long k = opno - TRACE_KEEP + 1; k <= opno; k++)
    if (k >= 0)
      fprintf(stdout, "      %s\n", tracebuf[k % TRACE_KEEP]);
  tm_dump(M);
  return 0;
}

#define FAIL(...) failed_at(__FILE__, __LINE__, __VA_ARGS__)

// ---------------------------------------------------------------- the model

static void
md_unmap(long i)
{
  if (md[i].mapped)
    md_mapped--;
  memset(&md[i], 0, sizeof(md[i]));
}

static void
md_map(long i, vm_prot_t prot, vm_prot_t max, int cow, vm_object_t obj, uint64_t pidx)
{
  md[i] = (struct page){ .mapped = 1, .prot = prot, .max = max, .inh = VM_INHERIT_DEFAULT,
                         .behav = MAP_ENTRY_BEHAV_NORMAL, .cow = cow, .obj = obj,
                         .pidx = pidx };
  md_mapped++;
}

static int
md_free(long lo, long hi)
{
  for (long i = lo; i < hi; i++)
    if (md[i].mapped)
      return 0;
  return 1;
}

// First fit, as findspace defines it: the lowest address >= start, aligned, where
// len bytes fit inside the map. 1 and *addr, or 0.
static int
md_findspace(vm_offset_t start, vm_size_t len, vm_size_t align, vm_offset_t *addr)
{
  if (align < PG)
    align = PG;
  if (start < ADDR(0))
    start = ADDR(0);
  if (len == 0)
    return 0;
  vm_offset_t a = (start + align - 1) & ~(align - 1);
  while (a >= start && a < ADDR(NP) && ADDR(NP) - a >= len) {
    long lo = (a - ADDR(0)) / PG, hi = lo + len / PG, last = -1;
    for (long i = hi - 1; i >= lo; i--)
      if (md[i].mapped) {
        last = i;
        break;
      }
    if (last < 0) {
      *addr = a;
      return 1;
    }
    a = (ADDR(last + 1) + align - 1) & ~(align - 1);
  }
  return 0;
}

// ---------------------------------------------------------------- comparing

// The first entry that ends above va (or the header), found without lookup_entry
// so as not to disturb the hint. Along the list: model_check_tree checks the tree
// against the list itself.
static vm_map_entry_t
entry_above(vm_offset_t va)
{
  vm_map_entry_t e = M->header.next;
  while (e != &M->header && e->end <= va)
    e = e->next;
  return e;
}

static int
compare_page(vm_map_entry_t e, long i)
{
  struct page *p = &md[i];
  if (!p->mapped)
    return FAIL("page %ld is mapped by [%lu, %lu), the model has it free", BASE + i,
                e->start / PG, e->end / PG);
  int cowflags = p->cow ? (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY) : 0;
  if (e->protection != p->prot || e->max_protection != p->max || e->inheritance != p->inh ||
      vm_map_entry_behavior(e) != p->behav ||
      (e->eflags & (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY)) != cowflags)
    return FAIL("page %ld: map prot %d max %d inh %d behav %#x cow %#x; model prot %d max %d "
                "inh %d behav %#x cow %#x", BASE + i, e->protection, e->max_protection,
                e->inheritance, vm_map_entry_behavior(e),
                e->eflags & (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY), p->prot, p->max, p->inh,
                p->behav, cowflags);
  if (e->eflags & ~(MAP_ENTRY_BEHAV_MASK | MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY))
    return FAIL("page %ld: unexpected eflags %#x", BASE + i, e->eflags);
  if (e->wired_count != 0 || e->maptype != VM_MAPTYPE_NORMAL)
    return FAIL("page %ld: wired %d maptype %d", BASE + i, e->wired_count, e->maptype);
  // A page keeps its place in its object for as long as it is mapped.
  vm_object_t o = e->object.vm_object;
  if (o) {
    uint64_t pidx = (e->offset + (ADDR(i) - e->start)) / PG;
    if (p->obj == 0) {
      p->obj = o;
      p->pidx = pidx;
    } else if (p->obj != o || p->pidx != pidx) {
      return FAIL("page %ld moved: object %p page %lu, was object %p page %lu", BASE + i,
                  (void *)o, (unsigned long)pidx, (void *)p->obj, (unsigned long)p->pidx);
    }
  } else if (p->obj) {
    return FAIL("page %ld lost its object %p", BASE + i, (void *)p->obj);
  }
  return 1;
}

// Compare pages [lo, hi) with the map.
static int
compare_range(long lo, long hi)
{
  if (lo < 0)
    lo = 0;
  if (hi > NP)
    hi = NP;
  if (lo >= hi)
    return 1;
  long i = lo;
  for (vm_map_entry_t e = entry_above(ADDR(lo)); e != &M->header && e->start < ADDR(hi);
       e = e->next) {
    long s = e->start < ADDR(lo) ? lo : (long)((e->start - ADDR(0)) / PG);
    long t = e->end > ADDR(hi) ? hi : (long)((e->end - ADDR(0)) / PG);
    if (e->start < ADDR(0) || e->end > ADDR(NP))
      return FAIL("entry [%#lx, %#lx) outside the map", e->start, e->end);
    for (; i < s; i++)
      if (md[i].mapped)
        return FAIL("page %ld is free in the map, mapped in the model", BASE + i);
    for (; i < t; i++)
      if (!compare_page(e, i))
        return 0;
  }
  for (; i < hi; i++)
    if (md[i].mapped)
      return FAIL("page %ld is free in the map, mapped in the model", BASE + i);
  return 1;
}

static int
cmp_ptr(const void *a, const void *b)
{
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

// The whole map, the objects' reference counts, and the page table.
static int
compare_all(void)
{
  static uintptr_t objs[NP];
  static struct stub_pte ptes[NP];
  int n = 0;

  if (!compare_range(0, NP))
    return 0;
  if (M->size != (vm_size_t)md_mapped * PG)
    return FAIL("size %#lx, the model maps %ld pages", M->size, md_mapped);
  // Each object is referenced exactly by the entries that map it.
  for (vm_map_entry_t e = M->header.next; e != &M->header; e = e->next)
    if (e->object.vm_object && n < NP)
      objs[n++] = (uintptr_t)e->object.vm_object;
  qsort(objs, n, sizeof(objs[0]), cmp_ptr);
  long live = 0;
  for (vm_object_t o = stub_object_first(); o; o = stub_object_next(o)) {
    live++;
    uintptr_t key = (uintptr_t)o;
    uintptr_t *f = bsearch(&key, objs, n, sizeof(objs[0]), cmp_ptr);
    int refs = 0;
    if (f) {
      while (f > objs && f[-1] == key)
        f--;
      for (; f < objs + n && *f == key; f++)
        refs++;
    }
    if (o->ref_count != refs)
      return FAIL("object %p (id %d) has ref_count %d, %d entries map it", (void *)o, o->id,
                  o->ref_count, refs);
    if (o->shadow_count != 0 || o->backing_object != 0)
      return FAIL("object %p has shadows or a backing object", (void *)o);
  }
  // The page table maps only what the map maps, never more than it allows.
  long np = stub_pte_list(&T.pmap, ptes, NP);
  if (np > NP)
    return FAIL("%ld PTEs: more than the map has pages", np);
  for (long k = 0; k < np; k++) {
    long i = (long)(ptes[k].va / PG) - BASE;
    if (i < 0 || i >= NP || !md[i].mapped)
      return FAIL("PTE for page %lu, which is not mapped", ptes[k].va / PG);
    if (ptes[k].prot & ~md[i].prot)
      return FAIL("PTE for page %lu allows %d, the entry only %d", ptes[k].va / PG,
                  ptes[k].prot, md[i].prot);
    if (md[i].cow && (ptes[k].prot & VM_PROT_WRITE))
      return FAIL("PTE for page %lu is writable in a NEEDS_COPY entry", ptes[k].va / PG);
  }
  (void)live;
  return 1;
}

// ---------------------------------------------------------------- the tree

// Check the subtree under n (whose parent is parent): links, the red-black rules,
// max_free, and that it holds, in order, the entries of the list from *next on
// (*next moves past them). Returns its black height, or -1 with *why set.
static int
tree_check(struct rb_node *n, struct rb_node *parent, vm_map_entry_t *next, const char **why)
{
  if (n == 0)
    return 1;
  if (n->parent != parent)
    return *why = "a node's parent link is wrong", -1;
  if (n->red && parent && parent->red)
    return *why = "a red node has a red child", -1;
  int l = tree_check(n->left, n, next, why);
  if (l < 0)
    return -1;
  vm_map_entry_t e = rb_entry(n, struct vm_map_entry, rb_entry);
  if (e != *next)
    return *why = "an in-order walk of the tree is not the entry list", -1;
  *next = e->next;
  int r = tree_check(n->right, n, next, why);
  if (r < 0)
    return -1;
  if (l != r)
    return *why = "two paths have different numbers of black nodes", -1;
  vm_size_t m = e->start - (e->prev == &M->header ? M->min_offset : e->prev->end);
  if (n->left && rb_entry(n->left, struct vm_map_entry, rb_entry)->max_free > m)
    m = rb_entry(n->left, struct vm_map_entry, rb_entry)->max_free;
  if (n->right && rb_entry(n->right, struct vm_map_entry, rb_entry)->max_free > m)
    m = rb_entry(n->right, struct vm_map_entry, rb_entry)->max_free;
  if (e->max_free != m)
    return *why = "max_free is not the largest gap in its subtree", -1;
  return l + !n->red;
}

static int
tree_verify(void)
{
  const char *why = "?";
  vm_map_entry_t next = M->header.next;
  struct rb_node *root = M->rb_root.root;

  if (root && root->red)
    return FAIL("tree: the root is red");
  if (tree_check(root, 0, &next, &why) < 0)
    return FAIL("tree: %s", why);
  if (next != &M->header)
    return FAIL("tree: the entry [%#lx, %#lx) is in the list, not in the tree", next->start,
                next->end);
  return 1;
}

static int
verify(void)
{
  const char *why = "?";
  if (tm_verify(M, &why) != 0)
    return FAIL("vm_map_verify: %s", why);
  if (check_tree && !tree_verify())
    return 0;
  if (lockstatus(&M->lock) != 0)
    return FAIL("the map was left locked");
  if (stub_noff() != 0)
    return FAIL("a spinlock was left held");
  return 1;
}

// ---------------------------------------------------------------- random choices

static const vm_prot_t prots[] = {
  VM_PROT_NONE, RO, RW, RWX, VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_WRITE,
};

static vm_prot_t
rand_prot(void)
{
  // Mostly the usual two, so that neighbours often match and merge.
  uint64_t x = rng_below(&R, 16);
  return x < 6 ? RW : x < 10 ? RO : prots[rng_below(&R, 6)];
}

static vm_prot_t
rand_max(vm_prot_t prot)
{
  uint64_t x = rng_below(&R, 8);
  return x < 5 ? RWX : x < 7 ? (prot | RW) : prot;
}

// A length in pages: mostly short, sometimes long.
static long
rand_len(void)
{
  uint64_t x = rng_below(&R, 100);
  return x < LEN_A ? 1 + rng_below(&R, 8) : x < LEN_B ? 1 + rng_below(&R, 64)
                                                    : 1 + rng_below(&R, 512);
}

// A page index, a little beyond the map at both ends now and then.
static long
rand_page(void)
{
  return (long)rng_below(&R, NP + 8) - 4;
}

static vm_size_t
rand_align(void)
{
  static const vm_size_t a[] = { 0, PG, PG, PG, 2 * PG, 8 * PG, 16 * PG };
  return a[rng_below(&R, sizeof(a) / sizeof(a[0]))];
}

// ---------------------------------------------------------------- operations

// Insert [start, start + len) pages, maybe with an object of its own.
static int
op_insert(void)
{
  long s = rand_page(), len = rng_below(&R, 50) == 0 ? 0 : rand_len();
  vm_prot_t prot = rand_prot(), max = rand_max(prot);
  int cow = rng_below(&R, 20) == 0;
  vm_object_t obj = 0;
  uint64_t off = 0;
  if (rng_below(&R, 10) == 0) {
    off = rng_below(&R, 64);
    obj = vm_object_allocate(rng_below(&R, 2) ? OBJT_DEFAULT : OBJT_VNODE, off + len);
  }
  op_note("insert [%ld, %ld) prot %d max %d%s obj %s off %lu", BASE + s, BASE + s + len, prot,
          max, cow ? " cow" : "", obj ? "yes" : "no", (unsigned long)off);
  int want;
  if (s < 0 || s + len > NP || len <= 0)
    want = KERN_INVALID_ADDRESS;
  else if (!md_free(s, s + len))
    want = KERN_NO_SPACE;
  else
    want = KERN_SUCCESS;
  int r = tm_insert(M, obj, off * PG, ADDR(s), ADDR(s + len), prot, max,
                    cow ? MAP_COPY_ON_WRITE : 0);
  if (r != want)
    return FAIL("insert returned %d, expected %d", r, want);
  if (r != KERN_SUCCESS) {
    if (obj)
      vm_object_deallocate(obj);
    return 1;
  }
  for (long i = s; i < s + len; i++)
    md_map(i, prot, max, cow, obj, obj ? off + (i - s) : 0);
  return compare_range(s - 1, s + len + 1);
}

// vm_map_find, usually with fitit.
static int
op_find(void)
{
  long s = rand_page(), len = rand_len();
  vm_size_t align = rand_align();
  vm_prot_t prot = rand_prot(), max = rand_max(prot);
  int fitit = rng_below(&R, 8) != 0;
  if (s < 0)
    s = 0;
  vm_offset_t a = ADDR(s), want_addr = a;
  int want;
  op_note("find at %ld len %ld align %lu fitit %d prot %d max %d", BASE + s, len,
          (unsigned long)(align / PG), fitit, prot, max);
  if (fitit) {
    want = md_findspace(a, P(len), align, &want_addr) ? KERN_SUCCESS : KERN_NO_SPACE;
  } else {
    want = s + len > NP ? KERN_INVALID_ADDRESS
           : md_free(s, s + len) ? KERN_SUCCESS : KERN_NO_SPACE;
  }
  int r = vm_map_find(M, 0, 0, &a, P(len), align, fitit, VM_MAPTYPE_NORMAL, prot, max, 0);
  if (r != want)
    return FAIL("vm_map_find returned %d, expected %d (model address page %lu)", r, want,
                want_addr / PG);
  if (r != KERN_SUCCESS)
    return a == ADDR(s) ? 1 : FAIL("failed vm_map_find changed *addr");
  if (a != want_addr)
    return FAIL("vm_map_find chose page %lu, first fit is page %lu", a / PG, want_addr / PG);
  long i0 = (a - ADDR(0)) / PG;
  for (long i = i0; i < i0 + len; i++)
    md_map(i, prot, max, 0, 0, 0);
  return compare_range(i0 - 1, i0 + len + 1);
}

// vm_map_findspace alone.
static int
op_findspace(void)
{
  long s = rand_page();
  long len = rng_below(&R, 4) ? rand_len() : 1 + rng_below(&R, NP);
  vm_size_t align = rand_align();
  vm_offset_t start = s < 0 ? P(rng_below(&R, BASE + 1)) : ADDR(s), a = 0, want_addr = 0;
  op_note("findspace from %lu len %ld align %lu", start / PG, len, (unsigned long)(align / PG));
  int want = md_findspace(start, P(len), align, &want_addr);
  int r = tm_findspace(M, start, P(len), align, &a);
  if ((r == 0) != want)
    return FAIL("findspace returned %d; the model %s (page %lu)", r,
                want ? "finds room" : "finds none", want_addr / PG);
  if (want && a != want_addr)
    return FAIL("findspace chose page %lu, first fit is page %lu", a / PG, want_addr / PG);
  return 1;
}

// A random range [lo, hi) of pages for the range operations (maybe empty, maybe
// partly outside the map).
static void
rand_range(long *lo, long *hi, int allow_empty)
{
  long s = rand_page(), len = rand_len();
  if (allow_empty && rng_below(&R, 50) == 0)
    len = 0;
  *lo = s;
  *hi = s + len;
}

static int
op_delete(void)
{
  long lo, hi;
  rand_range(&lo, &hi, 0);
  if (lo < 0)
    lo = 0;
  if (hi > NP)
    hi = NP;
  if (lo >= hi)
    return 1;
  op_note("delete [%ld, %ld)", BASE + lo, BASE + hi);
  int r = tm_delete(M, ADDR(lo), ADDR(hi));
  if (r != KERN_SUCCESS)
    return FAIL("vm_map_delete returned %d", r);
  for (long i = lo; i < hi; i++) {
    md_unmap(i);
    if (stub_pte_lookup(&T.pmap, ADDR(i), 0))
      return FAIL("page %ld still has a PTE after delete", BASE + i);
  }
  return compare_range(lo - 1, hi + 1);
}

static int
op_protect(void)
{
  long lo, hi;
  rand_range(&lo, &hi, 1);
  vm_prot_t prot = rand_prot();
  int set_max = rng_below(&R, 5) == 0;
  op_note("protect [%ld, %ld) %d%s", BASE + lo, BASE + hi, prot, set_max ? " set_max" : "");
  long l = lo < 0 ? 0 : lo, h = hi > NP ? NP : hi;
  int want = KERN_SUCCESS;
  for (long i = l; i < h; i++)
    if (md[i].mapped && (prot & md[i].max) != prot)
      want = KERN_PROTECTION_FAILURE;
  int r = vm_map_protect(M, ADDR(lo), ADDR(hi), prot, set_max);
  if (r != want)
    return FAIL("vm_map_protect returned %d, expected %d", r, want);
  if (r == KERN_SUCCESS) {
    for (long i = l; i < h; i++) {
      if (!md[i].mapped)
        continue;
      if (set_max) {
        md[i].max = prot;
        md[i].prot &= prot;
      } else {
        md[i].prot = prot;
      }
    }
  }
  return compare_range(l - 1, h + 1);
}

static int
op_inherit(void)
{
  long lo, hi;
  rand_range(&lo, &hi, 1);
  int inh = rng_below(&R, 20) == 0 ? 3 + rng_below(&R, 250) : rng_below(&R, 3);
  op_note("inherit [%ld, %ld) %d", BASE + lo, BASE + hi, inh);
  int want = inh <= VM_INHERIT_NONE ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
  int r = vm_map_inherit(M, ADDR(lo), ADDR(hi), inh);
  if (r != want)
    return FAIL("vm_map_inherit returned %d, expected %d", r, want);
  long l = lo < 0 ? 0 : lo, h = hi > NP ? NP : hi;
  if (r == KERN_SUCCESS)
    for (long i = l; i < h; i++)
      if (md[i].mapped)
        md[i].inh = inh;
  return compare_range(l - 1, h + 1);
}

static int
op_madvise(void)
{
  long lo, hi;
  rand_range(&lo, &hi, 1);
  uint64_t x = rng_below(&R, 20);
  int advice = x < 16 ? (int)(x % 3)                            // NORMAL, RANDOM, SEQUENTIAL
               : x < 18 ? MADV_DONTNEED
               : x < 19 ? 6 + (int)rng_below(&R, 100)           // unknown
                        : -1 - (int)rng_below(&R, 100);
  op_note("madvise [%ld, %ld) %d", BASE + lo, BASE + hi, advice);
  int want = (advice >= 0 && advice <= MADV_FREE) ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
  int r = vm_map_madvise(M, ADDR(lo), ADDR(hi), advice, 0);
  if (r != want)
    return FAIL("vm_map_madvise returned %d, expected %d", r, want);
  long l = lo < 0 ? 0 : lo, h = hi > NP ? NP : hi;
  if (r == KERN_SUCCESS && advice <= MADV_SEQUENTIAL) {
    uint8_t b = advice == MADV_NORMAL ? MAP_ENTRY_BEHAV_NORMAL
                : advice == MADV_RANDOM ? MAP_ENTRY_BEHAV_RANDOM
                                        : MAP_ENTRY_BEHAV_SEQUENTIAL;
    for (long i = l; i < h; i++)
      if (md[i].mapped)
        md[i].behav = b;
  }
  if (r == KERN_SUCCESS && advice == MADV_DONTNEED)
    for (long i = l; i < h; i++)
      if (stub_pte_lookup(&T.pmap, ADDR(i), 0))
        return FAIL("page %ld still has a PTE after MADV_DONTNEED", BASE + i);
  return compare_range(l - 1, h + 1);
}

static int
op_lookup(void)
{
  vm_map_entry_t e;
  long i = rand_page();
  vm_offset_t va = (i < -BASE ? 0 : ADDR(i)) + rng_below(&R, PG);
  op_note("lookup %#lx (page %lu)", va, va / PG);
  if (rng_below(&R, 2))
    M->hint = &M->header;   // half the time, the tree alone
  boolean_t hit = tm_lookup(M, va, &e);
  int mapped = i >= 0 && i < NP && md[i].mapped;
  if (hit != mapped)
    return FAIL("lookup of page %ld: %s, the model says %s", BASE + i, hit ? "hit" : "miss",
                mapped ? "mapped" : "free");
  if (hit) {
    if (!(e->start <= va && va < e->end))
      return FAIL("lookup hit [%#lx, %#lx), which does not contain %#lx", e->start, e->end, va);
    if (M->hint != e)
      return FAIL("a hit did not set the hint");
    return 1;
  }
  // A miss: the predecessor (the header below the first entry).
  if (e == &M->header) {
    if (M->header.next != &M->header && M->header.next->start <= va)
      return FAIL("lookup of %#lx missed with the header, but an entry starts below", va);
  } else {
    if (e->end > va)
      return FAIL("lookup of %#lx missed with [%#lx, %#lx), which does not end below it", va,
                  e->start, e->end);
    if (e->next != &M->header && e->next->start <= va)
      return FAIL("lookup of %#lx missed with [%#lx, %#lx), not the closest entry below", va,
                  e->start, e->end);
  }
  return 1;
}

// A fault: map a page in the fake pmap as vm_fault would.
static int
op_touch(void)
{
  long i = rng_below(&R, NP);
  if (!md[i].mapped || md[i].prot == VM_PROT_NONE) {
    op_note("touch page %ld (nothing to map)", BASE + i);
    return 1;
  }
  vm_prot_t p = md[i].prot;
  if (md[i].cow)
    p &= ~VM_PROT_WRITE;
  op_note("touch page %ld prot %d", BASE + i, p);
  tm_touch(&T, ADDR(i), p);
  return 1;
}

// ---------------------------------------------------------------- the run

static long
env_long(const char *name, long dflt)
{
  const char *v = getenv(name);
  return v && *v ? strtoll(v, 0, 0) : dflt;
}

static void
model_run(long default_ops)
{
  static const struct {
    int (*fn)(void);
    int weight;
    const char *name;
  } ops[] = {
    { op_insert, 14, "insert" },   { op_find, 8, "find" },
    { op_findspace, 6, "findspace" }, { op_delete, 12, "delete" },
    { op_protect, 14, "protect" }, { op_inherit, 8, "inherit" },
    { op_madvise, 8, "madvise" },  { op_lookup, 16, "lookup" },
    { op_touch, 6, "touch" },
  };
  enum { NOPS = sizeof(ops) / sizeof(ops[0]) };
  long counts[NOPS] = { 0 };
  int total = 0;
  for (int k = 0; k < NOPS; k++)
    total += ops[k].weight;

  seed = (uint64_t)env_long("VMLAB_SEED", DEFAULT_SEED);
  long nops = env_long("VMLAB_MODEL_OPS", default_ops);
  trace = env_long("VMLAB_MODEL_TRACE", 0) != 0;
  rng_seed(&R, seed);
  memset(md, 0, sizeof(md));
  md_mapped = 0;
  tmap_init(&T, ADDR(0), ADDR(NP));

  long maxent = 0, sument = 0;
  int ok = 1;
  for (opno = 0; opno < nops && ok; opno++) {
    uint64_t x = rng_below(&R, total);
    int k = 0;
    while (x >= (uint64_t)ops[k].weight)
      x -= ops[k++].weight;
    // Keep the map between about a quarter and three quarters full: past that,
    // turn inserts into deletes and the other way round.
    if (k <= 1 && md_mapped > NP * 3 / 4)
      k = 3;
    else if (k == 3 && md_mapped < NP / 4)
      k = 0;
    counts[k]++;
    ok = ops[k].fn() && verify();
    if (ok && opno % FULL_EVERY == FULL_EVERY - 1)
      ok = compare_all();
    if (M->nentries > maxent)
      maxent = M->nentries;
    sument += M->nentries;
  }
  if (ok)
    ok = compare_all();
  t_note("seed %llu: %ld operations, %ld entries on average, %d at most, %ld pages mapped at "
         "the end", (unsigned long long)seed, opno, opno ? sument / opno : 0, (int)maxent,
         md_mapped);
  char line[400];
  int n = 0;
  for (int k = 0; k < NOPS; k++)
    n += snprintf(line + n, sizeof(line) - n, "%s %ld  ", ops[k].name, counts[k]);
  t_note("%s", line);
  if (!ok)
    t_note("rerun: VMLAB_SEED=%llu build/host/vmtest %s", (unsigned long long)seed,
           check_tree ? "model_check_tree" : "model_check");
  CHECK(tmap_destroy(&T));
}

static void
model_check(void)
{
  check_tree = 0;
  model_run(1000000);
}

static void
model_check_tree(void)
{
  check_tree = 1;
  model_run(250000);
}

const struct test model_tests[] = {
  { "model_check", model_check, "entries", 5 },
  { "model_check_tree", model_check_tree, "rbtree", 5 },
  { 0, 0, 0 },
};
