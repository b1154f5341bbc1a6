// The pageout daemon: a kernel process that takes pages back when free memory runs
// low, and the page queues it scans (see vm_pageout.c).
#ifndef _VM_VM_PAGEOUT_H_
#define _VM_VM_PAGEOUT_H_

#include <sys/types.h>
#include "vm/vm_page.h"

#define VM_PAGE_RESERVE 16   // free pages that only the daemon may allocate

void vm_pageout_init(void);          // start the daemon (process context exists)
int vm_pageout_is_daemon(void);      // is the caller the daemon?
// Whether the daemon has work with nfree pages free: below free_min, with room in
// swap for what it would take.
int vm_pageout_needed(uint64 nfree);
void vm_pageout_wakeup(void);        // no lock needed (a process's may be held)
// Free n pages of the file cache (no lock held): 0, or -1 (none freed) if it holds
// fewer.
int vm_pageout_reclaim(uint64 n);

// The queues (object lock held): put m at the tail of queue q (PQ_ACTIVE or
// PQ_INACTIVE), off whatever queue it was on; take it off its queue.
void vm_page_enqueue(vm_page_t m, int q);
void vm_page_dequeue(vm_page_t m);

struct vm_pageout_stats {
  uint64 active, inactive;     // pages on each queue
  uint64 pageins, pageouts;    // pages read from and written to swap, ever
  uint64 oom_kills;
  uint64 vnodeouts;            // dirty file pages written back to free them, ever
};
void vm_pageout_stats(struct vm_pageout_stats *st);

#endif
