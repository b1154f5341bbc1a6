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
// A failed check prints both snapshots (memsnap_print), so that the missing
// pages can be placed: in objects (active, inactive), the kernel's own (kernel:
// kalloc, of which zones), or swap.
#ifndef _USER_MEMSNAP_H_
#define _USER_MEMSNAP_H_

struct memsnap {
  long free;                 // freemem(): free pages less what swap holds
  struct vmstats st;
};

static __attribute__((unused)) void
memsnap(struct memsnap *m)
{
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
