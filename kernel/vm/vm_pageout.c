// The pageout daemon (pagedaemon, a kernel process) and its page queues.
//
// Every page in an object is on the active or the inactive queue. The daemon runs
// when free pages fall below free_min and swap has room, or when a process waits
// for memory (vm_wait), and works until free_target pages are free:
//
//   1. The inactive queue is kept at a third of the pages: pages move there from
//      the head of the active queue unless their mappings were used since the last
//      look (pmap_ts_referenced), which sends them to the active queue's tail.
//   2. From the head of the inactive queue: a page used meanwhile goes back to the
//      active queue (its second chance); else, if no CPU is using a page table that
//      maps it (pmap_remove_all), it leaves every address space and is freed: an
//      anonymous page written to swap first (swap_pager_putpage), a dirty page of
//      a file written back to the file (vnode_pager_putpage_nowait: it
//      launders). That needs the file system's locks, which a process waiting for
//      memory may hold: the daemon only takes them if they are free, and else
//      tries again on a later pass.
//
// Wired pages, and busy ones (in I/O), are passed over.
//
// Whether a page is dirty needs no pmap_is_modified(): a file page is mapped
// read-only until its first store, whose fault sets PG_DIRTY, and a page the daemon
// takes leaves every page table first, so a later store faults again. (The BSDs
// read the hardware's modified bits instead, and must then clear them in every TLB
// that may hold them: a shootdown per page, where this costs a fault per first
// store.) An anonymous page is always written to swap: its slot was freed when it
// came back.
//
// If a pass frees nothing while a process waits, and passed over nothing that a
// later pass might free (used lately, mapped where in use, busy), memory and swap
// are exhausted: the process with the most resident and swapped pages is killed,
// with a console line, and the kernel lives on.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/pmap_pv.h"
#include "vm/swap_pager.h"

// A queue is a ring through pq_next/pq_prev; head is its oldest page.
struct pagequeue {
  vm_page_t head;
  uint64 count;
};

static struct pagequeue queues[3];   // by PQ_*: objlock

static struct {
  struct spinlock lock;
  struct proc *proc;        // the daemon
  int waiters;              // processes in vm_wait()
  uint64 free_min, free_target;
  uint64 oom_kills;
  int oom_pid;              // the last victim, until it is gone
} pageout;

void
vm_page_dequeue(vm_page_t m)
{
  struct pagequeue *q = &queues[m->queue];

  if (m->queue == PQ_NONE)
    return;
  if (m->pq_next == m) {
    q->head = 0;
  } else {
    m->pq_prev->pq_next = m->pq_next;
    m->pq_next->pq_prev = m->pq_prev;
    if (q->head == m)
      q->head = m->pq_next;
  }
  q->count--;
  m->queue = PQ_NONE;
  m->pq_next = m->pq_prev = 0;
}

void
vm_page_enqueue(vm_page_t m, int queue)
{
  struct pagequeue *q = &queues[queue];

  vm_page_dequeue(m);
  if (q->head == 0) {
    m->pq_next = m->pq_prev = m;
    q->head = m;
  } else {
    m->pq_next = q->head;
    m->pq_prev = q->head->pq_prev;
    m->pq_prev->pq_next = m;
    q->head->pq_prev = m;
  }
  m->queue = queue;
  q->count++;
}

int
vm_pageout_is_daemon(void)
{
  return pageout.proc != 0 && myproc() == pageout.proc;
}

// Whether no anonymous page can be paged out: there is no swap, or no free slot.
static int
swap_full(void)
{
  return swap_pager_used() >= swap_pager_total();
}

int
vm_pageout_needed(uint64 nfree)
{
  return nfree < pageout.free_min && !swap_full();
}

void
vm_pageout_wakeup(void)
{
  if (pageout.proc)
    wakeup_proc(pageout.proc, &pageout.waiters);
}

int
vm_wait(void)
{
  struct proc *p = myproc();

  // Nothing for the daemon to do: a pass would page out what no one needs out.
  if (kfreecount() > pageout.free_min) {
    yield();
    return killed(p) ? -1 : 0;
  }
  acquire(&pageout.lock);
  pageout.waiters++;
  vm_pageout_wakeup();
  sleep(&pageout.waiters, &pageout.lock);
  pageout.waiters--;
  release(&pageout.lock);
  return killed(p) ? -1 : 0;
}

// What a pass over the inactive queue did.
struct scan {
  uint64 freed;
  uint64 later;             // passed over for now: used lately, mapped by a page
                            // table in use, or busy
};

// Step 1: move unreferenced pages from the active queue to the inactive one until
// it holds a third of them. objlock held.
static void
deactivate(struct scan *s)
{
  struct pagequeue *aq = &queues[PQ_ACTIVE], *iq = &queues[PQ_INACTIVE];
  uint64 budget = aq->count;

  while (budget-- > 0 && aq->head && iq->count * 3 < aq->count + iq->count) {
    vm_page_t m = aq->head;
    int referenced = pmap_ts_referenced(m);
    vm_page_enqueue(m, referenced ? PQ_ACTIVE : PQ_INACTIVE);
    s->later += referenced > 0;
  }
}

// A page of a file that no page table maps: free it, written back first if it is
// dirty. 0, or -1 if the write would have had to wait. objlock held (dropped
// during the write).
static int
free_file_page(vm_page_t m)
{
  if (m->flags & PG_DIRTY)
    return vnode_pager_putpage_nowait(m);
  vm_page_remove(m);
  vm_page_free(m);
  return 0;
}

// Step 2: free up to want pages from the inactive queue. objlock held (dropped
// during swap I/O).
static void
scan_inactive(uint64 want, struct scan *s)
{
  struct pagequeue *iq = &queues[PQ_INACTIVE];
  uint64 budget = iq->count;

  while (budget-- > 0 && iq->head && s->freed < want) {
    vm_page_t m = iq->head;
    vm_page_enqueue(m, PQ_INACTIVE);    // to the tail, whatever happens to it
    // LAB wiring 6: BEGIN
    if (m->wire_count)
      continue;           // wired (mlock): it stays
    // LAB wiring 6: END
    if (m->flags & PG_BUSY) {
      s->later++;         // freed when its write completes
      continue;
    }
    int anon = m->object->type == OBJT_DEFAULT;
    if (anon && swap_full())
      continue;           // nowhere to put it
    if (pmap_ts_referenced(m)) {
      vm_page_enqueue(m, PQ_ACTIVE);
      s->later++;
      continue;
    }
    if (pmap_remove_all(m) < 0) {
      s->later++;
      continue;
    }
    // (A file page whose locks were taken is not counted as later: their holder
    // may be the process waiting for memory, which must then get its OOM decision.)
    if (anon ? swap_pager_putpage(m) == 0 : free_file_page(m) == 0)
      s->freed++;
  }
}

// Whether page m is in the file cache: a clean page of a file that no page table
// maps, that no one wired and that is in no I/O. objlock held (which a fault holds
// from its lookup to pmap_enter, so no page of the cache gets mapped meanwhile).
static int
cached(vm_page_t m)
{
  return m->object->type == OBJT_VNODE && m->wire_count == 0 && m->pv_count == 0 &&
         !(m->flags & (PG_BUSY | PG_DIRTY));
}

// Free up to n pages of the file cache from queue q (none if !free: only count
// them). Returns how many. objlock held.
static uint64
reclaim_queue(struct pagequeue *q, uint64 n, int free)
{
  uint64 found = 0, budget = q->count;
  vm_page_t m = q->head, next;

  for (; budget-- > 0 && found < n; m = next) {
    next = m->pq_next;
    if (!cached(m))
      continue;
    found++;
    if (free) {
      vm_page_remove(m);
      vm_page_free(m);
    }
  }
  return found;
}

// The file cache keeps the pages of programs that have exited and of files no
// longer mapped. They are as good as free to a process that asks for memory
// (vm_sbrk), so this gives n of them back at once (the daemon has no work while
// swap is full or absent): 0; or -1 with none freed if the cache holds fewer, so
// that a request that fails anyway leaves the cache as it was.
int
vm_pageout_reclaim(uint64 n)
{
  int r = -1;

  vm_object_lock();
  uint64 have = reclaim_queue(&queues[PQ_INACTIVE], n, 0);
  have += reclaim_queue(&queues[PQ_ACTIVE], n - have, 0);
  if (have == n) {
    uint64 freed = reclaim_queue(&queues[PQ_INACTIVE], n, 1);
    reclaim_queue(&queues[PQ_ACTIVE], n - freed, 1);
    r = 0;
  }
  vm_object_unlock();
  return r;
}

// The process with the most resident and swapped pages, not yet killed: its pid,
// or 0. A reference keeps each vmspace while it is counted without p->lock (the
// count may sleep on the map lock, and wake others).
static int
oom_victim(uint64 *pages)
{
  int victim = 0;

  *pages = 0;
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    struct vmspace *vm = p->state != ZOMBIE && !p->killed ? p->p_vmspace : 0;
    int pid = p->pid;
    if (vm)
      vmspace_ref(vm);
    release(&p->lock);
    if (vm == 0)
      continue;
    uint64 n = vmspace_resident_count(vm) + vmspace_swap_count(vm);
    vmspace_free(vm);
    if (n > *pages) {
      *pages = n;
      victim = pid;
    }
  }
  return victim;
}

// Out of memory and swap: kill the biggest process, unless the last one killed is
// still giving its memory back.
static void
oom_kill(void)
{
  uint64 pages;

  if (pageout.oom_pid) {
    for (struct proc *p = proc; p < &proc[NPROC]; p++)
      if (p->pid == pageout.oom_pid && p->state != UNUSED && p->state != ZOMBIE)
        return;
    pageout.oom_pid = 0;
  }
  int pid = oom_victim(&pages);
  if (pid == 0)
    return;
  printf("pid %d: out of memory and swap: %ld KiB resident or swapped: killed\n", pid,
         (long)(pages * (PAGE_SIZE / 1024)));
  pageout.oom_pid = pid;
  pageout.oom_kills++;
  kkill(pid);
}

// One pass: returns what it did.
static struct scan
vm_pageout_scan(void)
{
  struct scan s = {0, 0};
  uint64 nfree = kfreecount();
  uint64 want = nfree < pageout.free_target ? pageout.free_target - nfree : 0;

  if (want == 0 && pageout.waiters)
    want = 1;
  vm_object_lock();
  deactivate(&s);
  scan_inactive(want, &s);
  vm_object_unlock();
  return s;
}

static void
vm_pageout(void)
{
  for (;;) {
    // With swap full (or none), a pass frees nothing: the daemon waits for a
    // process that needs a page, to decide whether to kill (scanning on would
    // only take the CPU and the object lock from the processes).
    acquire(&pageout.lock);
    while (pageout.waiters == 0 && !vm_pageout_needed(kfreecount()))
      sleep(&pageout.waiters, &pageout.lock);
    release(&pageout.lock);

    struct scan s = vm_pageout_scan();

    acquire(&pageout.lock);
    int waiting = pageout.waiters;
    wakeup(&pageout.waiters);
    release(&pageout.lock);
    if (s.freed == 0 && kfreecount() < pageout.free_min) {
      if (waiting && s.later == 0)
        oom_kill();
      // Let the processes run: one leaves the CPU (its page table is then free to
      // take pages from), or the victim exits.
      yield();
    }
  }
}

void
vm_pageout_init(void)
{
  uint64 npages = vm_page_count();

  initlock(&pageout.lock, "pageout");
  swap_pager_init();
  pageout.free_min = MAX(npages / 64, 2 * VM_PAGE_RESERVE);
  pageout.free_target = 2 * pageout.free_min;
  pageout.proc = kproc_start("pagedaemon", vm_pageout);
}

void
vm_pageout_stats(struct vm_pageout_stats *st)
{
  vm_object_lock();
  st->active = queues[PQ_ACTIVE].count;
  st->inactive = queues[PQ_INACTIVE].count;
  vm_object_unlock();
  st->pageins = swap_pager_pageins();
  st->pageouts = swap_pager_pageouts();
  st->oom_kills = pageout.oom_kills;
  st->vnodeouts = vnode_pager_pageouts();
}
