// What the host stubs of the rest of the kernel (stubs.c) let a test see: live
// pages and objects (for leak checks), lock pairing, and a fake page table that
// records what the VM asked the pmap to do.
#ifndef _TESTS_HOST_STUBS_H_
#define _TESTS_HOST_STUBS_H_

#include <sys/types.h>
#include "vm/pmap.h"

struct vm_object;

// Kernel printf: stub_quiet keeps it off stdout; the last message is kept anyway.
extern int stub_quiet;
extern char stub_lastmsg[512];

extern long stub_pages_live;      // kalloc() minus kfree()
extern long stub_objects_live;    // vm_object_allocate()/shadow() minus frees
int stub_noff(void);              // push_off() depth: each spin lock held adds one
extern long stub_wakeups;         // wakeup() calls (harmless when nobody sleeps)

// Objects: calls seen, and a walk over the live ones (oldest first).
extern long stub_coalesce_calls, stub_page_remove_calls;
struct vm_object *stub_object_first(void);
struct vm_object *stub_object_next(struct vm_object *o);

// vm_object_shadow_try() fails while stub_shadow_fail is set.
extern int stub_shadow_fail;

// vnode_pager_putpages()/_invalidate() (msync's vm_map_clean): calls and the last range.
extern long stub_putpages_calls, stub_invalidate_calls;
extern uint64 stub_pager_first, stub_pager_last;

// vm_prefault() (vm_fault.c, for MADV_WILLNEED): calls and the last range.
extern long stub_prefault_calls;
extern vm_offset_t stub_prefault_start, stub_prefault_end;

// The fake page table. pmap_pinit() must have been called on the pmap.
struct stub_pte {
  vm_offset_t va;
  vm_prot_t prot;
};
int stub_pte_lookup(pmap_t pmap, vm_offset_t va, vm_prot_t *prot);   // 1 if mapped
long stub_pte_count(pmap_t pmap);
// Copy up to max PTEs (in no particular order) into out; returns how many exist.
long stub_pte_list(pmap_t pmap, struct stub_pte *out, long max);

// A log of the pmap_remove()/pmap_protect() calls since the last reset.
enum { STUB_PMAP_REMOVE = 1, STUB_PMAP_PROTECT = 2 };
struct stub_pmap_call {
  int op;
  vm_offset_t sva, eva;
  vm_prot_t prot;
};
#define STUB_PMAP_LOG 64
extern struct stub_pmap_call stub_pmap_log[STUB_PMAP_LOG];
extern int stub_pmap_nlog;        // entries in the log (stops growing at STUB_PMAP_LOG)
extern long stub_pmap_ncalls;     // all calls, logged or not
void stub_pmap_log_reset(void);

#endif
