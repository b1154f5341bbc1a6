// The rest of the kernel, as far as vm_map.c, vm_zone.c and rbtree.c need it, for a
// single-threaded host process: printing and panics, spin and lockmgr locks that
// check their pairing, kalloc over aligned_alloc, a fake pmap, and vm_objects that
// only count references. Compiled like a kernel file (kernel headers, no libc
// headers), with its printf renamed to kprintf like the kernel files' (Makefile).
#include <stdarg.h>
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "kern/lock.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/swap_pager.h"
#include "host.h"
#include "stubs.h"

// ---------------------------------------------------------------- printf, panic

volatile int panicked;

void
printfinit(void)
{
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  host_vprintf(fmt, ap);
  va_end(ap);
}

static void
say(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  host_vprintf(fmt, ap);
  va_end(ap);
}

void
panic(const char *fmt, ...)
{
  va_list ap;
  stub_quiet = 0;
  say("panic: ");
  va_start(ap, fmt);
  host_vprintf(fmt, ap);
  va_end(ap);
  say("\n");
  panicked = 1;
  host_abort();
}

void
kassert_failed(const char *cond, const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  stub_quiet = 0;
  say("panic: assertion \"%s\" failed: ", cond);
  va_start(ap, fmt);
  host_vprintf(fmt, ap);
  va_end(ap);
  say(" (%s:%d)\n", file, line);
  panicked = 1;
  host_abort();
}

// The kernel's (kern/string.c); libc has the rest of its string functions.
char *
safestrcpy(char *s, const char *t, int n)
{
  char *os = s;
  if (n <= 0)
    return os;
  while (--n > 0 && (*s++ = *t++) != 0)
    ;
  *s = 0;
  return os;
}

// vm_info.c's, which vm_map_assert_valid calls before it panics: the panic says why.
void
vm_map_print(vm_map_t map)
{
  (void)map;
}

// ---------------------------------------------------------------- one CPU

// For the kernel's own spinlock.c and lock.c, built unchanged: one CPU, whose
// interrupts start off (machine/cpufunc.h in tests/host/include). A request that
// would have to wait can never be granted by one thread: acquire() panics at a
// spin lock held twice, and lockmgr() sleeps, which panics below.
struct cpu cpus[NCPU];
int stub_intr;

void
smp_ipi_poll(void)
{
}

int
stub_noff(void)
{
  return cpus[0].noff;
}

// ---------------------------------------------------------------- processes

struct proc;

struct proc *
myproc(void)
{
  return 0;
}

void
sleep(void *chan, struct spinlock *lk)
{
  (void)chan;
  (void)lk;
  panic("sleep: called on the host (single-threaded: nobody would wake us)");
}

long stub_wakeups;

void
wakeup(void *chan)
{
  (void)chan;
  stub_wakeups++;
}

// ---------------------------------------------------------------- kalloc

long stub_pages_live;

void
kinit(void)
{
}

void *
kalloc(void)
{
  void *p = host_page_alloc();
  if (p)
    stub_pages_live++;
  return p;
}

void
kfree(void *va)
{
  KASSERT(((uint64)va & (PAGE_SIZE - 1)) == 0, "kfree: not a page");
  KASSERT(stub_pages_live > 0, "kfree: more frees than kallocs");
  stub_pages_live--;
  host_page_free(va);
}

uint64
kfreecount(void)
{
  return 1UL << 20;
}

// ---------------------------------------------------------------- the fake pmap

struct hpte {
  struct hpte *next;
  vm_offset_t va;
  vm_paddr_t pa;
  vm_prot_t prot;
};

#define HBUCKETS 4096

struct hpmap {
  struct hpte *b[HBUCKETS];
  long n;
};

struct stub_pmap_call stub_pmap_log[STUB_PMAP_LOG];
int stub_pmap_nlog;
long stub_pmap_ncalls;

void
stub_pmap_log_reset(void)
{
  stub_pmap_nlog = 0;
  stub_pmap_ncalls = 0;
}

static void
logcall(int op, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot)
{
  stub_pmap_ncalls++;
  if (stub_pmap_nlog < STUB_PMAP_LOG) {
    struct stub_pmap_call *c = &stub_pmap_log[stub_pmap_nlog++];
    c->op = op;
    c->sva = sva;
    c->eva = eva;
    c->prot = prot;
  }
}

static struct hpmap *
hp(pmap_t pmap)
{
  return pmap ? (struct hpmap *)pmap->pm_root : 0;
}

static struct hpte **
hslot(struct hpmap *h, vm_offset_t va)
{
  struct hpte **pp = &h->b[(va >> PAGE_SHIFT) % HBUCKETS];
  while (*pp && (*pp)->va != va)
    pp = &(*pp)->next;
  return pp;
}

void
pmap_bootstrap(void)
{
}

void
pmap_bootstrap_cpu(void)
{
}

int
pmap_pinit(pmap_t pmap)
{
  struct hpmap *h = host_calloc(1, sizeof(*h));
  if (h == 0)
    return -ENOMEM;
  pmap->pm_root = (pt_entry_t *)h;
  pmap->pm_resident = 0;
  return 0;
}

void
pmap_release(pmap_t pmap)
{
  struct hpmap *h = hp(pmap);
  if (h == 0)
    return;
  for (int i = 0; i < HBUCKETS; i++) {
    while (h->b[i]) {
      struct hpte *p = h->b[i];
      h->b[i] = p->next;
      host_free(p);
    }
  }
  host_free(h);
  pmap->pm_root = 0;
  pmap->pm_resident = 0;
}

int
pmap_enter(pmap_t pmap, vm_offset_t va, vm_paddr_t pa, vm_prot_t prot, int wired)
{
  struct hpmap *h = hp(pmap);
  (void)wired;
  KASSERT((va & (PAGE_SIZE - 1)) == 0, "pmap_enter: unaligned va");
  if (h == 0)
    return 0;
  struct hpte **pp = hslot(h, va);
  if (*pp == 0) {
    *pp = host_calloc(1, sizeof(struct hpte));
    if (*pp == 0)
      return -ENOMEM;
    (*pp)->va = va;
    h->n++;
    pmap->pm_resident++;
  }
  (*pp)->pa = pa;
  (*pp)->prot = prot;
  return 0;
}

// Apply fn to every PTE in [sva, eva): page by page if the range is small, else
// by walking every PTE.
static void
hrange(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, void (*fn)(pmap_t, struct hpte **, int),
       int arg)
{
  struct hpmap *h = hp(pmap);
  if (h == 0 || sva >= eva)
    return;
  sva &= ~(vm_offset_t)(PAGE_SIZE - 1);
  if ((eva - sva) / PAGE_SIZE <= (vm_offset_t)h->n + HBUCKETS) {
    for (vm_offset_t va = sva; va < eva; va += PAGE_SIZE) {
      struct hpte **pp = hslot(h, va);
      if (*pp)
        fn(pmap, pp, arg);
    }
  } else {
    for (int i = 0; i < HBUCKETS; i++) {
      struct hpte **pp = &h->b[i];
      while (*pp) {
        struct hpte *p = *pp;
        if (p->va >= sva && p->va < eva)
          fn(pmap, pp, arg);
        if (*pp == p)
          pp = &p->next;
      }
    }
  }
}

static void
hremove(pmap_t pmap, struct hpte **pp, int arg)
{
  struct hpte *p = *pp;
  (void)arg;
  *pp = p->next;
  host_free(p);
  hp(pmap)->n--;
  pmap->pm_resident--;
}

static void
hprotect(pmap_t pmap, struct hpte **pp, int prot)
{
  (void)pmap;
  (*pp)->prot &= prot;
}

void
pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
  logcall(STUB_PMAP_REMOVE, sva, eva, 0);
  hrange(pmap, sva, eva, hremove, 0);
}

// Like the ports' pmap_protect: PROT_NONE removes, anything else takes from the
// PTEs that exist the permissions it lacks (and never grants one).
void
pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot)
{
  logcall(STUB_PMAP_PROTECT, sva, eva, prot);
  if (prot == VM_PROT_NONE)
    hrange(pmap, sva, eva, hremove, 0);
  else
    hrange(pmap, sva, eva, hprotect, prot);
}

vm_paddr_t
pmap_extract_prot(pmap_t pmap, vm_offset_t va, vm_prot_t prot)
{
  struct hpmap *h = hp(pmap);
  if (h == 0)
    return 0;
  struct hpte *p = *hslot(h, trunc_page(va));
  if (p == 0 || (prot & ~p->prot))
    return 0;
  return p->pa | (va & (PAGE_SIZE - 1));
}

vm_paddr_t
pmap_extract(pmap_t pmap, vm_offset_t va)
{
  return pmap_extract_prot(pmap, va, VM_PROT_NONE);
}

void
pmap_activate(pmap_t pmap)
{
  (void)pmap;
}

long
pmap_resident_count(pmap_t pmap)
{
  return pmap ? pmap->pm_resident : 0;
}

int
stub_pte_lookup(pmap_t pmap, vm_offset_t va, vm_prot_t *prot)
{
  struct hpmap *h = hp(pmap);
  if (h == 0)
    return 0;
  struct hpte *p = *hslot(h, trunc_page(va));
  if (p && prot)
    *prot = p->prot;
  return p != 0;
}

long
stub_pte_count(pmap_t pmap)
{
  struct hpmap *h = hp(pmap);
  return h ? h->n : 0;
}

long
stub_pte_list(pmap_t pmap, struct stub_pte *out, long max)
{
  struct hpmap *h = hp(pmap);
  long n = 0;
  if (h == 0)
    return 0;
  for (int i = 0; i < HBUCKETS; i++)
    for (struct hpte *p = h->b[i]; p; p = p->next, n++)
      if (n < max) {
        out[n].va = p->va;
        out[n].prot = p->prot;
      }
  return n;
}

// ---------------------------------------------------------------- vm objects

// Each object sits in a wrapper that links the live ones, so tests can audit
// reference counts against the maps.
struct sobj {
  struct vm_object obj;   // first: a vm_object * is a struct sobj *
  struct sobj *prev, *next;
  uint32 magic;
};
#define SOBJ_MAGIC 0x0b1ec7ed

static struct sobj objlist = { .prev = &objlist, .next = &objlist };
static int nextid;
long stub_objects_live;
long stub_coalesce_calls, stub_page_remove_calls;

static struct sobj *
sobj(struct vm_object *o)
{
  struct sobj *s = (struct sobj *)o;
  KASSERT(s->magic == SOBJ_MAGIC, "not a live vm_object");
  return s;
}

struct vm_object *
stub_object_first(void)
{
  return objlist.next == &objlist ? 0 : &objlist.next->obj;
}

struct vm_object *
stub_object_next(struct vm_object *o)
{
  struct sobj *s = sobj(o);
  return s->next == &objlist ? 0 : &s->next->obj;
}

struct vm_object *
vm_object_allocate(objtype_t type, vm_pindex_t size)
{
  struct sobj *s = host_calloc(1, sizeof(*s));
  KASSERT(s != 0, "vm_object_allocate: out of host memory");
  struct vm_object *o = &s->obj;
  initlock(&o->lock, "vm_object");
  o->type = type;
  o->id = ++nextid;
  o->ref_count = 1;
  o->size = size;
  rb_init(&o->rb_memq, 0);
  s->magic = SOBJ_MAGIC;
  s->prev = objlist.prev;
  s->next = &objlist;
  objlist.prev->next = s;
  objlist.prev = s;
  stub_objects_live++;
  return o;
}

void
vm_object_reference(struct vm_object *o)
{
  if (o == 0)
    return;
  KASSERT(sobj(o)->obj.ref_count > 0, "vm_object_reference: dead object");
  o->ref_count++;
}

void
vm_object_deallocate(struct vm_object *o)
{
  while (o) {
    struct sobj *s = sobj(o);
    KASSERT(o->ref_count > 0, "vm_object_deallocate: no references");
    if (--o->ref_count > 0)
      return;
    KASSERT(o->shadow_count == 0, "vm_object_deallocate: shadows without references");
    struct vm_object *backing = o->backing_object;
    if (backing)
      sobj(backing)->obj.shadow_count--;
    s->prev->next = s->next;
    s->next->prev = s->prev;
    s->magic = 0;
    host_free(s);
    stub_objects_live--;
    o = backing;   // the reference the shadow held
  }
}

boolean_t
vm_object_coalesce(struct vm_object *prev, vm_ooffset_t prev_offset, vm_size_t prev_size,
                   vm_size_t next_size)
{
  stub_coalesce_calls++;
  if (prev == 0)
    return 1;
  sobj(prev);
  if (prev->type != OBJT_DEFAULT || prev->ref_count != 1 || prev->backing_object ||
      prev->shadow_count != 0)
    return 0;
  vm_pindex_t first = (prev_offset + prev_size) >> PAGE_SHIFT;
  vm_pindex_t end = (prev_offset + prev_size + next_size) >> PAGE_SHIFT;
  vm_object_page_remove(prev, first, end, 0);
  if (end > prev->size)
    prev->size = end;
  return 1;
}

void
vm_object_page_remove(struct vm_object *object, vm_pindex_t start, vm_pindex_t end,
                      boolean_t clean_only)
{
  (void)object;
  (void)start;
  (void)end;
  (void)clean_only;
  stub_page_remove_calls++;
}

// vm_object_shadow_try (vm_object.c), as in the kernel: the entry's reference
// moves to a new object backed by the old one. stub_shadow_fail: fail instead, as
// when memory runs out.
int stub_shadow_fail;

int
vm_object_shadow_try(struct vm_object **object, vm_ooffset_t *offset, vm_size_t length)
{
  if (stub_shadow_fail)
    return 0;
  struct vm_object *source = *object, *result = vm_object_allocate(OBJT_DEFAULT, length >> PAGE_SHIFT);
  result->backing_object = source;
  result->backing_object_offset = *offset;
  if (source)
    sobj(source)->obj.shadow_count++;
  *offset = 0;
  *object = result;
  return 1;
}

// The host's objects hold no pages and nothing is in swap: vm_map_resident finds a
// page only in the fake page table.
void
vm_object_lock(void)
{
}

void
vm_object_unlock(void)
{
}

vm_page_t
vm_page_lookup(struct vm_object *object, vm_pindex_t pindex)
{
  (void)sobj(object);
  (void)pindex;
  return 0;
}

uint32
swap_pager_lookup(struct vm_object *object, vm_pindex_t pindex)
{
  (void)sobj(object);
  (void)pindex;
  return 0;
}

// vm_map_clean writes back and invalidates file pages: the calls, and the last range.
long stub_putpages_calls, stub_invalidate_calls;
uint64 stub_pager_first, stub_pager_last;

void
vnode_pager_putpages(struct vm_object *object, vm_pindex_t start, vm_pindex_t end)
{
  KASSERT(sobj(object)->obj.type == OBJT_VNODE, "vnode_pager_putpages: object type %d",
          object->type);
  stub_putpages_calls++;
  stub_pager_first = start;
  stub_pager_last = end;
}

void
vnode_pager_invalidate(struct vm_object *object, vm_pindex_t start, vm_pindex_t end, int refs)
{
  KASSERT(sobj(object)->obj.type == OBJT_VNODE, "vnode_pager_invalidate: object type %d",
          object->type);
  KASSERT(refs <= object->ref_count, "vnode_pager_invalidate: %d refs of %d", refs,
          object->ref_count);
  stub_invalidate_calls++;
  stub_pager_first = start;
  stub_pager_last = end;
}

// ---------------------------------------------------------------- vm_fault

long stub_prefault_calls;
vm_offset_t stub_prefault_start, stub_prefault_end;

void
vm_prefault(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
  (void)map;
  stub_prefault_calls++;
  stub_prefault_start = start;
  stub_prefault_end = end;
}

// vm_wire.c is not built for the host: no test wires an entry, so vm_map_delete
// never has one to unwire.
void
vm_map_entry_unwire(vm_map_t map, vm_map_entry_t entry)
{
  (void)map;
  KASSERT(0, "vm_map_entry_unwire: the host tests wire nothing");
  (void)entry;
}
