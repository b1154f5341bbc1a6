// Host build: the struct pmap behind the pmap interface (kernel/vm/pmap.h), which
// tests/host/stubs.c implements as a fake page table that records what the MI VM
// asks of it.
#ifndef _MACHINE_PMAP_H_
#define _MACHINE_PMAP_H_

#include <sys/types.h>

typedef uint64 pt_entry_t;

struct pmap {
  pt_entry_t *pm_root;     // host: the fake page table (struct hpmap in stubs.c)
  long pm_resident;        // user pages mapped
};
typedef struct pmap *pmap_t;

#endif
