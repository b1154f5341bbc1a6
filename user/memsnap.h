// Where the machine's pages are (freemem and vmstat), for the leak checks: one
// that finds pages missing prints the snapshots before and after, so that the
// missing pages can be placed (in objects: active/inactive; the kernel's own:
// kalloc, of which zones; swap).
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

// "(pages before/after: ...)", for the end of a failure's line.
static __attribute__((unused)) void
memsnap_print(struct memsnap *a, struct memsnap *b)
{
  printf("(pages before/after: freemem %ld/%ld, active %ld/%ld, inactive %ld/%ld, "
         "wired %ld/%ld, kernel %ld/%ld, zones %ld/%ld, swap used %ld/%ld)",
         a->free, b->free, a->st.v_active_count, b->st.v_active_count,
         a->st.v_inactive_count, b->st.v_inactive_count, a->st.v_wire_count,
         b->st.v_wire_count, a->st.v_kmem_count, b->st.v_kmem_count, a->st.v_zone_pages,
         b->st.v_zone_pages, a->st.v_swap_used, b->st.v_swap_used);
}

#endif
