// Where the machine's pages are (freemem and vmstat), for the leak checks.
//
// A leak check takes a snapshot before and one after, and compares them with
// memsnap_same(): the pages that are free or that zones hold, and the zones'
// items in use other than pv entries. Not freemem alone: a zone page stays as long
// as one item lies in it, so which pages the zones hold depends on where items
// happened to land, and freemem can move by a page with nothing leaked (a
// process's copy-on-write fault after a fork puts its new object wherever the
// zone has room then). A leaked page still moves the first count, and a leaked
// structure (an object, a map entry) the second. Not pv entries: one is a page
// mapped somewhere, and the measuring process maps pages of its program that are
// in memory already the first time it runs their code.
// A snapshot waits until every other process sleeps (memsnap_quiet): a process
// that runs meanwhile takes or gives back pages of its own. The one that matters
// is the measuring process's parent, which has just forked it: the parent's
// first write after fork (to its stack, copy-on-write now) takes a page, and on
// a loaded machine the parent may get a CPU only once the child is measuring.
// A failed check prints both snapshots (memsnap_print), so that the missing
// pages can be placed: in objects (active, inactive), the kernel's own (kernel:
// kalloc, of which zones), or swap.
#ifndef _USER_MEMSNAP_H_
#define _USER_MEMSNAP_H_

#define MEMSNAP_NPROC 64     // the kernel's NPROC
#define MEMSNAP_QUIET 100    // ticks at most to wait for the other processes

struct memsnap {
  long free;                 // freemem(): free pages less what swap holds
  struct vmstats st;
};

// Whether every process but this one sleeps or has exited (the kernel's own
// processes are not listed).
static __attribute__((unused)) int
memsnap_quiet(void)
{
  static struct kinfo_proc kp[MEMSNAP_NPROC];
  int n = procinfo(kp, MEMSNAP_NPROC), me = getpid();

  for(int i = 0; i < n && i < MEMSNAP_NPROC; i++)
    if(kp[i].kp_pid != me && kp[i].kp_state != KP_STATE_SLEEPING &&
       kp[i].kp_state != KP_STATE_ZOMBIE)
      return 0;
  return 1;
}

static __attribute__((unused)) void
memsnap(struct memsnap *m)
{
  for(int t = 0; t < MEMSNAP_QUIET && !memsnap_quiet(); t++)
    sleep(1);
  m->free = freemem();
  if(vmstat(&m->st) < 0)
    memset(&m->st, 0, sizeof(m->st));
}

static __attribute__((unused)) int
memsnap_same(struct memsnap *a, struct memsnap *b)
{
  return a->free + (long)a->st.v_zone_pages == b->free + (long)b->st.v_zone_pages &&
         a->st.v_zone_items - a->st.v_pv_entries == b->st.v_zone_items - b->st.v_pv_entries;
}

// Snapshots into *b until it is the same as *a, at most tries of them a tick
// apart (a process reaped a moment ago may still be giving pages back, and init
// may not have reaped an orphan yet): whether it came back.
static __attribute__((unused)) int
memsnap_settle(struct memsnap *a, struct memsnap *b, int tries)
{
  for(int k = 0; k < tries; k++){
    memsnap(b);
    if(memsnap_same(a, b))
      return 1;
    sleep(1);
  }
  return 0;
}

// "(pages before/after: ...)", for the end of a failure's line.
static __attribute__((unused)) void
memsnap_print(struct memsnap *a, struct memsnap *b)
{
  printf("(pages before/after: freemem %ld/%ld, active %ld/%ld, inactive %ld/%ld, "
         "wired %ld/%ld, kernel %ld/%ld, zones %ld/%ld holding %ld/%ld items "
         "(pv entries %ld/%ld), swap used %ld/%ld)",
         a->free, b->free, a->st.v_active_count, b->st.v_active_count,
         a->st.v_inactive_count, b->st.v_inactive_count, a->st.v_wire_count,
         b->st.v_wire_count, a->st.v_kmem_count, b->st.v_kmem_count, a->st.v_zone_pages,
         b->st.v_zone_pages, a->st.v_zone_items, b->st.v_zone_items, a->st.v_pv_entries,
         b->st.v_pv_entries, a->st.v_swap_used, b->st.v_swap_used);
}

#endif
